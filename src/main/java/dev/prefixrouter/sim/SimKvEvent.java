package dev.prefixrouter.sim;

/**
 * One KV-cache event as the simulated engine records it during a step, before encoding (vLLM's
 * {@code BlockStored}, {@code BlockRemoved}, {@code AllBlocksCleared}). Hashes are {@link BlockHasher} values,
 * sent as unsigned 64-bit integers. The simulator has its own copy of these shapes because {@code sim} may not
 * depend on the router's packages: it is an engine, not a client of one.
 */
sealed interface SimKvEvent {

    /**
     * Full blocks published to the prefix cache, in prefix order; {@code tokenIds} holds
     * {@code blockHashes.length * blockSize} ids.
     *
     * @param hasParent       false for a prompt's first block (vLLM sends {@code parent_block_hash: null})
     * @param parentBlockHash the hash of the block before the first one, when {@code hasParent}
     */
    record Stored(long[] blockHashes, boolean hasParent, long parentBlockHash, int[] tokenIds, int blockSize)
            implements SimKvEvent {
    }

    /** Cached blocks the engine evicted to reuse their memory. */
    record Removed(long[] blockHashes) implements SimKvEvent {
    }

    /** The whole prefix cache was dropped ({@code /reset_prefix_cache}). */
    record Cleared() implements SimKvEvent {
    }
}
