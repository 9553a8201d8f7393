package dev.prefixrouter.trie;

import java.util.List;

/**
 * A consistent snapshot of a {@link HashTrie}, taken under its lock.
 *
 * @param nodes live nodes (full chunks of some recorded prefix)
 * @param attributions live (node, engine) attributions
 * @param accountedBytes {@code nodes * NODE_BYTES + attributions * ATTRIBUTION_BYTES}; drives eviction and the cap
 * @param maxBytes the hard budget for {@code accountedBytes}
 * @param allocatedBytes real bytes of the backing arrays, headers included
 * @param maxRecordedDepth deepest path (in chunks) recorded since the last clear: an upper bound on the current depth
 * @param evictedNodes nodes evicted for memory since construction
 * @param evictedBytes accounted bytes those evictions freed
 * @param capacityDroppedAttributions attributions dropped because an engine exceeded its cache capacity
 * @param retiredSlots released slots whose attributions are not yet swept
 * @param slots per active slot: its attributed and capacity characters
 */
public record HashTrieStats(
        long nodes,
        long attributions,
        long accountedBytes,
        long maxBytes,
        long allocatedBytes,
        int maxRecordedDepth,
        long evictedNodes,
        long evictedBytes,
        long capacityDroppedAttributions,
        int retiredSlots,
        List<SlotStats> slots) {

    public HashTrieStats {
        slots = List.copyOf(slots);
    }

    /** Accounted bytes as a fraction of the budget. */
    public double utilization() {
        return maxBytes == 0 ? 0 : (double) accountedBytes / maxBytes;
    }

    /**
     * One engine's share of the index.
     *
     * @param slot the engine's slot
     * @param attributedChars prompt characters the index credits to it
     * @param capacityChars how many it may be credited with (its KV cache, in prompt characters)
     */
    public record SlotStats(int slot, long attributedChars, long capacityChars) {
    }
}
