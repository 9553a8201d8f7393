package dev.prefixrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.EngineSpec;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetProperties;
import dev.prefixrouter.fleet.scraping.EngineStatsProperties;
import dev.prefixrouter.fleet.stats.EngineStats;
import dev.prefixrouter.prometheus.Sample;
import dev.prefixrouter.trie.HashTrie;
import dev.prefixrouter.trie.HashTrieConfig;
import dev.prefixrouter.trie.HashTrieStats;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** The prefix index's view of the fleet: slots for engines, and capacities from their stats. */
class EngineSlotsTest {

    private final Fleet fleet = new Fleet(new FleetProperties(List.of()));
    private final HashTrieConfig config = new HashTrieConfig(128, DataSize.ofKilobytes(512), 0.9, 0.5,
            Duration.ofMillis(50), 1_000_000_000L, 100);
    private final HashTrie trie = new HashTrie(128, config.maxMemory().toBytes(), config.endpointCacheCapacity(), 7);
    private final EngineSlots slots = new EngineSlots(trie, config,
            new EngineStatsProperties(true, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(10)),
            fleet);
    private final Engine engine = fleet.add(new EngineSpec("e", URI.create("http://10.0.0.1:8000"),
            List.of("m"), null));

    @Test
    void anEngineHasASlotWhileItIsInTheFleet() {
        int slot = slots.of(engine).id();
        assertThat(trie.stats().slots()).extracting(HashTrieStats.SlotStats::slot).containsExactly(slot);
        fleet.remove("e");
        assertThat(slots.find(engine)).isNull();
        assertThat(trie.stats().slots()).isEmpty();
    }

    @Test
    void anEnginesCapacityComesFromItsMetricsWhenFresh() {
        engine.engineStats(EngineStats.from(List.of(new Sample("vllm:cache_config_info",
                Map.of("block_size", "16", "num_gpu_blocks", "100", "enable_prefix_caching", "True"), 1)),
                System.nanoTime()));
        slots.engineStatsRefreshed();
        long capacity = 100L * 16 * EngineStats.CHARS_PER_TOKEN;
        assertThat(trie.stats().slots()).singleElement()
                .satisfies(slot -> assertThat(slot.capacityChars()).isEqualTo(capacity));
        int slot = slots.of(engine).id();
        for (int i = 0; i < 50; i++) {
            trie.record(trie.key(("conversation " + i + " ").repeat(60)), slot);
        }
        assertThat(trie.stats().slots().get(0).attributedChars()).isLessThanOrEqualTo(capacity);
        assertThat(trie.stats().capacityDroppedAttributions()).isPositive();

        engine.engineStats(null);
        slots.engineStatsRefreshed();
        assertThat(trie.stats().slots().get(0).capacityChars()).isEqualTo(config.endpointCacheCapacity());
    }
}
