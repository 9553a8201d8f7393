package dev.prefixrouter.kvevents;

/**
 * One event of an engine's KV-cache event stream, as vLLM publishes it ({@code vllm/distributed/kv_events.py}).
 * Hashes are the engine's own block hashes: 64-bit values (an unsigned {@code uint64} above 2^63 arrives as a
 * negative long; a hash sent as bytes is folded to 64 bits by the decoder). They depend on the engine's process
 * seed; the router never computes them, it only maps them to its own keys.
 */
public sealed interface KvEvent permits KvEvent.BlockStored, KvEvent.BlockRemoved, KvEvent.AllBlocksCleared {

    /**
     * Full blocks the engine cached, in prefix order: block {@code i} holds
     * {@code tokenIds[i * blockSize, (i + 1) * blockSize)}, and block 0's parent is {@code parentBlockHash}.
     *
     * @param hasParent whether block 0 continues a cached block ({@code parentBlockHash} valid) or starts a prompt
     * @param loraId    the LoRA adapter id, or {@code null} for the base model
     * @param medium    where the blocks are ({@code "GPU"}, {@code "CPU"}, ...), or {@code null} (older engines: GPU)
     */
    record BlockStored(long[] blockHashes, boolean hasParent, long parentBlockHash, int[] tokenIds, int blockSize,
            Integer loraId, String medium) implements KvEvent {
    }

    /** Blocks the engine evicted. */
    record BlockRemoved(long[] blockHashes, String medium) implements KvEvent {
    }

    /** The engine dropped its whole prefix cache (e.g. {@code /reset_prefix_cache}). */
    record AllBlocksCleared() implements KvEvent {
    }
}
