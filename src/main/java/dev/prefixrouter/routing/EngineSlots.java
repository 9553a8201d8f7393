package dev.prefixrouter.routing;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetListener;
import dev.prefixrouter.fleet.scraping.EngineStatsListener;
import dev.prefixrouter.fleet.scraping.EngineStatsProperties;
import dev.prefixrouter.fleet.stats.EngineStats;
import dev.prefixrouter.trie.HashTrie;
import dev.prefixrouter.trie.HashTrieConfig;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import lombok.extern.slf4j.Slf4j;
import org.springframework.stereotype.Component;

/**
 * The prefix index's view of the fleet: which slot of the index each engine has (the index itself knows engines
 * only as these small ints), and what this router has queued there. An engine gets a slot when it joins the fleet
 * (or is first routed to) and gives it back when it leaves, so the index forgets it. Its cache capacity comes from
 * its own metrics ({@code vllm:cache_config_info}: blocks × block size × {@link EngineStats#CHARS_PER_TOKEN}) when
 * fresh, else {@code router.hashtrie.endpoint-cache-capacity}; it reaches the index after each round of stats
 * scrapes ({@link #engineStatsRefreshed()}).
 */
@Slf4j
@Component
public class EngineSlots implements FleetListener, EngineStatsListener {

    private final HashTrie trie;
    private final long defaultCapacity;
    private final Duration statsMaxAge;
    private final Map<Engine, Slot> slots = new ConcurrentHashMap<>();
    private final Fleet fleet;

    public EngineSlots(HashTrie trie, HashTrieConfig config, EngineStatsProperties stats, Fleet fleet) {
        this.trie = trie;
        this.fleet = fleet;
        this.defaultCapacity = config.endpointCacheCapacity();
        this.statsMaxAge = stats.maxAge();
        fleet.addListener(this);
    }

    /**
     * An engine's place in the index and its router-side queue.
     *
     * @param id                  the index's slot
     * @param prefillChars        uncached prompt characters of requests sent there whose first byte has not come
     * @param prefillRequests     how many such requests
     * @param capacityChars       the cache capacity last given to the index
     */
    public record Slot(int id, AtomicLong prefillChars, AtomicInteger prefillRequests, AtomicLong capacityChars) {
    }

    /** The engine's slot, taking one if it has none yet. */
    public Slot of(Engine engine) {
        Slot slot = slots.computeIfAbsent(engine, e -> {
            int id = trie.acquireSlot();
            return new Slot(id, new AtomicLong(), new AtomicInteger(), new AtomicLong(defaultCapacity));
        });
        if (fleet.find(engine.id()).orElse(null) != engine) {
            // It left while this request was being routed: give the slot back rather than leak it.
            engineRemoved(engine);
        }
        return slot;
    }

    /** The engine's slot, or {@code null} if it has none. */
    public Slot find(Engine engine) {
        return slots.get(engine);
    }

    public Map<Engine, Slot> all() {
        return Map.copyOf(slots);
    }

    @Override
    public void engineAdded(Engine engine) {
        of(engine);
    }

    @Override
    public void engineRemoved(Engine engine) {
        Slot slot = slots.remove(engine);
        if (slot != null) {
            trie.releaseSlot(slot.id());
            log.info("prefix index: forgetting engine {} (slot {})", engine.id(), slot.id());
        }
    }

    /**
     * Gives the index each engine's current cache capacity: the one its fresh stats state, else the default. Called
     * by the stats scraper after each round, off the event loops (a smaller capacity trims the engine's credits).
     */
    @Override
    public void engineStatsRefreshed() {
        long now = System.nanoTime();
        slots.forEach((engine, slot) -> {
            EngineStats stats = engine.engineStats();
            OptionalLong reported = stats != null && stats.isFresh(now, statsMaxAge)
                    ? stats.kvCacheCapacityChars(EngineStats.CHARS_PER_TOKEN) : OptionalLong.empty();
            long capacity = reported.orElse(defaultCapacity);
            if (slot.capacityChars().getAndSet(capacity) != capacity) {
                trie.setCapacity(slot.id(), capacity);
                log.info("prefix index: engine {} caches {} characters ({})", engine.id(), capacity,
                        reported.isPresent() ? "from its metrics" : "router.hashtrie.endpoint-cache-capacity");
            }
        });
    }
}
