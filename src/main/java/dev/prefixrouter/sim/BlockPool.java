package dev.prefixrouter.sim;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The paged KV cache: {@code numGpuBlocks} blocks, each with a reference count (how many running requests hold
 * it) and, once its tokens are full and known, the chained hash of the prefix it ends (as vLLM's block pool).
 *
 * <p>Invariants: a block is in the {@link FreeBlockQueue} exactly when no request holds it; a block that no one
 * holds keeps its hash and stays findable (a prefix-cache hit) until allocation evicts it from the queue's head,
 * least recently used first; a held block is never evicted. {@code kv_cache_usage_perc} is therefore
 * {@code 1 - free / total}, with cached-but-unheld blocks counted as free, as vLLM reports it.
 *
 * <p>Concurrency: every mutation happens on the engine's step thread. The hash index is a
 * {@link ConcurrentHashMap} so that {@link #cachedPrefixBlocks} can be read from any thread without a lock and
 * without touching recency or reference counts; such a read sees the cache as of some moment during a step.
 */
final class BlockPool {

    private final int numBlocks;
    private final int[] refCount;
    private final long[] blockHash;
    private final boolean[] hashed;
    private final FreeBlockQueue free;
    private final Map<Long, Integer> blockByHash = new ConcurrentHashMap<>();
    private final KvEventLog events;

    BlockPool(int numBlocks) {
        this(numBlocks, KvEventLog.disabled(1));
    }

    /** A pool that reports each eviction (and reset) to {@code events}, as vLLM's block pool feeds its publisher. */
    BlockPool(int numBlocks, KvEventLog events) {
        this.numBlocks = numBlocks;
        this.events = events;
        this.refCount = new int[numBlocks];
        this.blockHash = new long[numBlocks];
        this.hashed = new boolean[numBlocks];
        this.free = new FreeBlockQueue(numBlocks);
    }

    int numBlocks() {
        return numBlocks;
    }

    int numFree() {
        return free.size();
    }

    double usage() {
        return 1.0 - (double) free.size() / numBlocks;
    }

    /** How many leading hashes are cached now. Safe from any thread; changes nothing. */
    int cachedPrefixBlocks(long[] hashes) {
        int blocks = 0;
        while (blocks < hashes.length && blockByHash.containsKey(hashes[blocks])) {
            blocks++;
        }
        return blocks;
    }

    /** The block caching {@code hash}, or -1. */
    int cachedBlock(long hash) {
        Integer block = blockByHash.get(hash);
        return block == null ? -1 : block;
    }

    boolean isHeld(int block) {
        return refCount[block] > 0;
    }

    /** Takes one more reference on a cached block, withdrawing it from eviction if no one held it. */
    void touch(int block) {
        if (refCount[block] == 0) {
            free.remove(block);
        }
        refCount[block]++;
    }

    /** Takes the free queue's head for a new holder, evicting the prefix it cached, if any. */
    int allocate() {
        int block = free.popFront();
        if (hashed[block]) {
            blockByHash.remove(blockHash[block], block);
            hashed[block] = false;
            events.removed(blockHash[block]);
        }
        refCount[block] = 1;
        return block;
    }

    /**
     * Publishes a full block as the cache entry for {@code hash}. If another block already caches the same
     * prefix (two requests prefilled it at once), this one stays anonymous: vLLM keeps both copies findable, the
     * simulator keeps the first, which only matters if the first is evicted while the second is still held.
     * Returns whether this call made the block a new cache entry (the caller then reports it as stored), so that
     * the events describe exactly the hash index: one {@code BlockStored} per entry, one {@code BlockRemoved}
     * when it goes.
     */
    boolean cache(int block, long hash) {
        if (hashed[block]) {
            return false;
        }
        if (blockByHash.putIfAbsent(hash, block) == null) {
            blockHash[block] = hash;
            hashed[block] = true;
            return true;
        }
        return false;
    }

    /**
     * Drops every cache entry, held or not: nothing is findable afterwards, and blocks that running requests hold
     * stay theirs (anonymous) until released. vLLM refuses a reset while requests run; the simulator resets anyway
     * so that a test never has to wait for an idle engine, and its events still say exactly what is cached.
     *
     * @param report whether to report {@code AllBlocksCleared} (a reset) or not (a restarting process says nothing)
     */
    void clearCache(boolean report) {
        for (int block = 0; block < numBlocks; block++) {
            hashed[block] = false;
        }
        blockByHash.clear();
        if (report) {
            events.cleared();
        }
    }

    /** How many blocks are cache entries now; for tests. */
    int cachedBlocks() {
        return blockByHash.size();
    }

    /**
     * Drops one reference on each of the first {@code count} blocks, last block first, so that a request's tail
     * becomes evictable before its head: the head is the part most likely to be shared (vLLM does the same).
     */
    void release(int[] blocks, int count) {
        for (int i = count - 1; i >= 0; i--) {
            int block = blocks[i];
            if (refCount[block] <= 0) {
                throw new IllegalStateException("block " + block + " released more often than taken");
            }
            if (--refCount[block] == 0) {
                free.pushBack(block);
            }
        }
    }

    /** The sum of all reference counts; for tests. */
    long totalReferences() {
        long sum = 0;
        for (int count : refCount) {
            sum += count;
        }
        return sum;
    }

    /** Free blocks from the next to be evicted to the last; for tests. */
    int[] evictionOrder() {
        return free.toArray();
    }

    /** Checks the invariants in the class comment; for tests. Throws on the first violation. */
    void checkInvariants() {
        int unheld = 0;
        for (int block = 0; block < numBlocks; block++) {
            if (refCount[block] < 0) {
                throw new IllegalStateException("block " + block + " has refCount " + refCount[block]);
            }
            if ((refCount[block] == 0) != free.contains(block)) {
                throw new IllegalStateException("block " + block + " refCount " + refCount[block]
                        + " but free=" + free.contains(block));
            }
            if (refCount[block] == 0) {
                unheld++;
            }
            if (hashed[block] && !Integer.valueOf(block).equals(blockByHash.get(blockHash[block]))) {
                throw new IllegalStateException("block " + block + " is hashed but not indexed");
            }
        }
        if (unheld != free.size()) {
            throw new IllegalStateException(unheld + " unheld blocks but " + free.size() + " free");
        }
        blockByHash.forEach((hash, block) -> {
            if (!hashed[block] || blockHash[block] != hash) {
                throw new IllegalStateException("index maps " + hash + " to block " + block + " which lost it");
            }
        });
    }
}
