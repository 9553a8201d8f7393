package dev.prefixrouter.trie;

/**
 * Everything the trie holds, shared by the classes that work on it ({@link PrefixMatcher}, {@link PathRecorder},
 * {@link Pruner}, {@link MemoryBudget}). Accounted bytes are derived from the live counts, so they equal the sum of
 * per-item costs by construction. Guarded by {@link HashTrie}'s lock.
 */
final class TrieState {

    final int chunkSize;
    final long maxBytes;
    final int initialCapacity;
    final NodeStore nodes;
    final NodeIndex index;
    final AttributionStore attrs;
    final SlotTable slots = new SlotTable();

    /**
     * Set once the index has dropped a prefix that an engine may still hold (a memory eviction, a clear); read
     * without the lock by {@link HashTrie#mayHaveForgotten()}.
     */
    volatile boolean forgotten;
    long evictedNodes;
    long evictedBytes;
    long capacityDropped;
    int maxRecordedDepth;

    TrieState(int chunkSize, long maxBytes) {
        this.chunkSize = chunkSize;
        this.maxBytes = maxBytes;
        this.initialCapacity = MemoryBudget.initialCapacity(maxBytes);
        this.nodes = new NodeStore(initialCapacity);
        this.index = new NodeIndex(initialCapacity);
        this.attrs = new AttributionStore(initialCapacity);
    }

    long accountedBytes() {
        return (long) nodes.size() * HashTrie.NODE_BYTES + (long) attrs.size() * HashTrie.ATTRIBUTION_BYTES;
    }

    /** Bytes of the stores' elements (what the budget limits), without array headers. */
    long storeElementBytes() {
        return (long) nodes.capacity() * HashTrie.NODE_BYTES
                + (long) attrs.capacity() * HashTrie.ATTRIBUTION_BYTES;
    }

    void clear() {
        nodes.reset(initialCapacity);
        index.rebuild(initialCapacity, nodes);
        attrs.reset(initialCapacity);
        slots.clearAttributions();
        maxRecordedDepth = 0;
        forgotten = true;
    }
}
