package dev.prefixrouter.trie;

import dev.prefixrouter.backend.BackendRegistry;
import dev.prefixrouter.backend.Endpoint;
import dev.prefixrouter.backend.EngineStats;
import dev.prefixrouter.backend.EngineStatsProperties;
import dev.prefixrouter.backend.FleetListener;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import lombok.extern.slf4j.Slf4j;
import org.springframework.stereotype.Component;

/**
 * Which slot of the prefix index each engine has, and what the router has queued there. An engine gets a slot
 * when it joins the fleet (or is first routed to) and gives it back when it leaves, so the index forgets it. Its
 * cache capacity comes from its own metrics ({@code vllm:cache_config_info}: blocks × block size × characters per
 * token) when fresh, else {@code router.hashtrie.endpoint-cache-capacity}.
 */
@Slf4j
@Component
public class EndpointSlots implements FleetListener {

    /** The simulator's and this router's token estimate for text. */
    public static final int CHARS_PER_TOKEN = 4;

    private final HashTrie trie;
    private final long defaultCapacity;
    private final java.time.Duration statsMaxAge;
    private final Map<Endpoint, Slot> slots = new ConcurrentHashMap<>();
    private final BackendRegistry registry;

    public EndpointSlots(HashTrie trie, HashTrieConfig config, EngineStatsProperties stats,
            BackendRegistry registry) {
        this.trie = trie;
        this.registry = registry;
        this.defaultCapacity = config.endpointCacheCapacity();
        this.statsMaxAge = stats.maxAge();
        registry.addListener(this);
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
    public Slot of(Endpoint endpoint) {
        Slot slot = slots.computeIfAbsent(endpoint, e -> {
            int id = trie.acquireSlot();
            return new Slot(id, new AtomicLong(), new AtomicInteger(), new AtomicLong(defaultCapacity));
        });
        if (registry.find(endpoint.id()).orElse(null) != endpoint) {
            // It left while this request was being routed: give the slot back rather than leak it.
            endpointRemoved(endpoint);
        }
        return slot;
    }

    /** The engine's slot, or {@code null} if it has none. */
    public Slot find(Endpoint endpoint) {
        return slots.get(endpoint);
    }

    public Map<Endpoint, Slot> all() {
        return Map.copyOf(slots);
    }

    @Override
    public void endpointAdded(Endpoint endpoint) {
        of(endpoint);
    }

    @Override
    public void endpointRemoved(Endpoint endpoint) {
        Slot slot = slots.remove(endpoint);
        if (slot != null) {
            trie.releaseSlot(slot.id());
            log.info("prefix index: forgetting backend {} (slot {})", endpoint.id(), slot.id());
        }
    }

    /** Gives the index each engine's current cache capacity; run off the event loops (it may trim attributions). */
    public void refreshCapacities() {
        long now = System.nanoTime();
        slots.forEach((endpoint, slot) -> {
            EngineStats stats = endpoint.engineStats();
            OptionalLong reported = stats != null && stats.isFresh(now, statsMaxAge)
                    ? stats.kvCacheCapacityChars(CHARS_PER_TOKEN) : OptionalLong.empty();
            long capacity = reported.orElse(defaultCapacity);
            if (slot.capacityChars().getAndSet(capacity) != capacity) {
                trie.setCapacity(slot.id(), capacity);
                log.info("prefix index: backend {} caches {} characters ({})", endpoint.id(), capacity,
                        reported.isPresent() ? "from its metrics" : "router.hashtrie.endpoint-cache-capacity");
            }
        });
    }
}
