package dev.prefixrouter.trie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.backend.BackendRegistry;
import dev.prefixrouter.backend.BackendSpec;
import dev.prefixrouter.backend.Endpoint;
import dev.prefixrouter.backend.EngineStats;
import dev.prefixrouter.backend.EngineStatsProperties;
import dev.prefixrouter.backend.FleetProperties;
import dev.prefixrouter.backend.Sample;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class MemoryWatcherTest {

    private final BackendRegistry registry = new BackendRegistry(new FleetProperties(List.of()));
    private final HashTrieConfig config = new HashTrieConfig(128, DataSize.ofKilobytes(512), 0.9, 0.5,
            Duration.ofMillis(50), 1_000_000_000L, 100);
    private final HashTrie trie = new HashTrie(128, config.maxMemory().toBytes(), config.endpointCacheCapacity(), 7);
    private final EndpointSlots slots = new EndpointSlots(trie, config,
            new EngineStatsProperties(true, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(10)),
            registry);
    private final MemoryWatcher watcher = new MemoryWatcher(trie, config, slots);
    private final Endpoint engine = registry.add(new BackendSpec("e", URI.create("http://10.0.0.1:8000"),
            List.of("m"), null));

    @AfterEach
    void stop() {
        watcher.stop();
    }

    private void fillAbove(double utilization) {
        int slot = slots.of(engine).id();
        for (int i = 0; trie.stats().utilization() <= utilization; i++) {
            trie.record(trie.key(("unique conversation " + i + " ").repeat(40)), slot);
        }
    }

    @Test
    void operatorEvictionRunsInBatchesDownToTheTarget() {
        fillAbove(0.9);
        long nodes = trie.stats().nodes();
        MemoryWatcher.RunStats run = watcher.requestEviction(0.5).block(Duration.ofSeconds(10));
        assertThat(trie.stats().utilization()).isLessThanOrEqualTo(0.5);
        assertThat(run.nodes()).isEqualTo(nodes - trie.stats().nodes());
        assertThat(run.batches()).as("batches of %d nodes", config.evictionBatch()).isGreaterThan(1);
        assertThat(watcher.runs()).isEqualTo(1);
    }

    @Test
    void scheduledWatcherEvictsOnceAboveTheThreshold() {
        watcher.start();
        fillAbove(0.92);
        await().atMost(Duration.ofSeconds(10)).until(() -> trie.stats().utilization() <= 0.5);
        assertThat(watcher.runs()).isPositive();
    }

    @Test
    void clearForgetsEverything() {
        fillAbove(0.3);
        watcher.requestClear().block(Duration.ofSeconds(10));
        assertThat(trie.stats().nodes()).isZero();
    }

    @Test
    void anEnginesCapacityComesFromItsMetricsWhenFresh() {
        engine.engineStats(EngineStats.from(List.of(new Sample("vllm:cache_config_info",
                Map.of("block_size", "16", "num_gpu_blocks", "100", "enable_prefix_caching", "True"), 1)),
                System.nanoTime()));
        slots.refreshCapacities();
        long capacity = 100L * 16 * EndpointSlots.CHARS_PER_TOKEN;
        assertThat(trie.stats().slots()).singleElement()
                .satisfies(slot -> assertThat(slot.capacityChars()).isEqualTo(capacity));
        int slot = slots.of(engine).id();
        for (int i = 0; i < 50; i++) {
            trie.record(trie.key(("conversation " + i + " ").repeat(60)), slot);
        }
        assertThat(trie.stats().slots().get(0).attributedChars()).isLessThanOrEqualTo(capacity);
        assertThat(trie.stats().capacityDroppedAttributions()).isPositive();

        engine.engineStats(null);
        slots.refreshCapacities();
        assertThat(trie.stats().slots().get(0).capacityChars()).isEqualTo(config.endpointCacheCapacity());
    }
}
