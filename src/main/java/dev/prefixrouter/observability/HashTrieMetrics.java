package dev.prefixrouter.observability;

import dev.prefixrouter.trie.HashTrie;
import dev.prefixrouter.trie.HashTrieStats;
import dev.prefixrouter.trie.MemoryWatcher;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToDoubleFunction;
import org.springframework.stereotype.Component;

/**
 * The prefix index's meters, {@code router.hashtrie.*}: size against budget and evictions. One stats snapshot (a
 * short lock hold) serves all of a scrape's gauges that ask within the same few milliseconds.
 */
@Component
public class HashTrieMetrics implements MeterBinder {

    private static final long SNAPSHOT_NANOS = 10_000_000;

    private final HashTrie trie;
    private final MemoryWatcher watcher;
    private volatile HashTrieStats snapshot;
    private volatile long snapshotAt;

    public HashTrieMetrics(HashTrie trie, MemoryWatcher watcher) {
        this.trie = trie;
        this.watcher = watcher;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "router.hashtrie.nodes", "Chunks in the prefix index", HashTrieStats::nodes);
        gauge(registry, "router.hashtrie.attributions", "(chunk, engine) credits in the prefix index",
                HashTrieStats::attributions);
        gauge(registry, "router.hashtrie.bytes", "Accounted bytes of the prefix index", HashTrieStats::accountedBytes);
        gauge(registry, "router.hashtrie.allocated.bytes", "Bytes of the prefix index's backing arrays",
                HashTrieStats::allocatedBytes);
        gauge(registry, "router.hashtrie.budget.bytes", "router.hashtrie.max-memory", HashTrieStats::maxBytes);
        gauge(registry, "router.hashtrie.utilization", "Accounted bytes over the budget", HashTrieStats::utilization);
        FunctionCounter.builder("router.hashtrie.evicted.nodes", this, m -> m.stats().evictedNodes())
                .description("Nodes evicted for memory").register(registry);
        FunctionCounter.builder("router.hashtrie.evicted.bytes", this, m -> m.stats().evictedBytes())
                .description("Accounted bytes freed by eviction").baseUnit("bytes").register(registry);
        FunctionCounter.builder("router.hashtrie.capacity.dropped", this,
                        m -> m.stats().capacityDroppedAttributions())
                .description("Credits dropped because an engine's KV cache capacity was exceeded")
                .register(registry);
        FunctionCounter.builder("router.hashtrie.eviction.runs", watcher, MemoryWatcher::runs)
                .description("Memory-watcher eviction runs").register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<HashTrieStats> value) {
        Gauge.builder(name, this, m -> value.applyAsDouble(m.stats())).description(description).register(registry);
    }

    private HashTrieStats stats() {
        long now = System.nanoTime();
        HashTrieStats current = snapshot;
        if (current == null || now - snapshotAt > SNAPSHOT_NANOS) {
            current = trie.stats();
            snapshot = current;
            snapshotAt = now;
        }
        return current;
    }
}
