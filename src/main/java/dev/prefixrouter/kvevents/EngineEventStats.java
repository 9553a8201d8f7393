package dev.prefixrouter.kvevents;

/**
 * What one engine's events did to the precise index, and whether routing may trust it now.
 *
 * @param engine           the engine id
 * @param index            its index in the precise index, or -1 if it is not tracked (more than 64 engines)
 * @param live             its subscription is up and in sequence
 * @param fresh            live, and not sent requests for longer than {@code stale-after} without an event back
 * @param batches          batches applied
 * @param storedBlocks     blocks credited from {@code BlockStored}
 * @param removedBlocks    blocks un-credited by {@code BlockRemoved}
 * @param skippedBlocks    blocks not applied: another medium than GPU, another block size, or token ids that do
 *                         not fill the blocks
 * @param unanchoredBlocks stored blocks whose parent hash the index does not know, so they cannot be keyed
 * @param unknownRemovals  removed hashes the index does not know (never keyed, or their mapping was evicted)
 * @param clears           {@code AllBlocksCleared} events and forgets
 */
public record EngineEventStats(String engine, int index, boolean live, boolean fresh, long batches,
        long storedBlocks, long removedBlocks, long skippedBlocks, long unanchoredBlocks, long unknownRemovals,
        long clears) {
}
