package dev.prefixrouter.kvevents;

import java.util.List;

/**
 * A consistent snapshot of the precise index.
 *
 * @param keys            router block keys indexed (reported by an engine or speculatively credited)
 * @param mappings        engine-hash to router-key mappings
 * @param bytes           accounted bytes: both tables' allocated slots
 * @param maxBytes        the budget, {@code router.kv-events.max-memory}
 * @param evictedKeys     keys evicted to stay within the budget (every engine stops being credited with them)
 * @param evictedMappings mappings evicted to stay within the budget (their engine stops being credited)
 * @param engines         per registered engine, the blocks it is credited with from its own reports
 */
public record PreciseIndexStats(long keys, long mappings, long bytes, long maxBytes, long evictedKeys,
        long evictedMappings, List<EngineBlocks> engines) {

    public PreciseIndexStats {
        engines = List.copyOf(engines);
    }

    /** Keys plus mappings evicted for memory. */
    public long evictions() {
        return evictedKeys + evictedMappings;
    }

    /** Accounted bytes over the budget. */
    public double utilization() {
        return (double) bytes / maxBytes;
    }

    /** One engine's reported blocks still credited. */
    public record EngineBlocks(String engine, int index, long blocks) {
    }
}
