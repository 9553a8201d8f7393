package dev.prefixrouter.trie;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The prefix index: which engines have been sent which prompt prefixes, inside a hard memory budget.
 *
 * <p>A prompt is cut into full chunks of {@code chunkSize} characters (a trailing partial chunk is never indexed);
 * each chunk's hash is chained with its parent's, so one 64-bit key names a whole prefix and the "trie" is a flat
 * table keyed by it ({@link NodeIndex}) over nodes packed as int records in one array ({@link NodeStore}), no
 * object per node. Each node lists the engine slots attributed to it ({@link AttributionStore}); slots are small
 * ints handed out by {@link #acquireSlot()}, and slots 0..63 also live in a bit set per node for the common case.
 *
 * <p>Invariants, after every public call: every node's parent exists; in the global LRU list and in each slot's
 * LRU list a parent (or a slot's attribution on it) is never colder than a child, so the global tail is always a
 * leaf and a child's engines are a subset of its parent's; accounted bytes equal live nodes times
 * {@link #NODE_BYTES} plus live attributions times {@link #ATTRIBUTION_BYTES} and never exceed the budget; each
 * slot's attributed characters stay within its capacity (the engine's KV cache, coldest dropped first).
 *
 * <p>Memory: the backing arrays grow by doubling, never past {@code maxMemoryBytes} of elements, so
 * {@code allocatedBytes <= maxMemoryBytes + overhead}, where the overhead is the arrays' headers (under 256 bytes)
 * and 37 bytes per engine slot of capacity (which doubles as slots are acquired, up to 65536). Growing copies the
 * arrays under the lock; that happens at most log2(size / 1024) times per store. Capacity is not given back until
 * {@link #clear()}, so a store that grew for one mix of nodes and attributions can leave less room for the other.
 *
 * <p>Concurrency: {@link #key} hashes outside any lock and may run on any thread at once. Every other method takes
 * one {@link ShortHoldLock} (non-fair, taken after a short spin) for work that is bounded: O(log chunks) index lookups per
 * distinct match length for match, {@link #DEFAULT_CHUNKS_PER_HOLD} chunks per hold for record (a longer prompt
 * takes several holds; every step keeps the invariants, so others may run in between), O(chunks) for undo,
 * {@code maxNodes} or {@code maxWork} for evict and maintain (docs/trie-benchmarks.md has the cost per node, to
 * size batches), batches of {@link PathRecorder#TRIM_BATCH} for setCapacity. Nothing is allocated per chunk. Built
 * to be called from a few event-loop threads and one scheduled maintenance thread.
 */
public final class HashTrie {

    /**
     * Accounted bytes per node: its record (long hash 8 + long engine bits 8 + int parent, child count, LRU prev,
     * LRU next, attribution head 5 * 4 = 36) plus its share of the index (2 int slots per node = 8): 44.
     */
    public static final int NODE_BYTES = NodeStore.BYTES_PER_NODE + NodeIndex.BYTES_PER_NODE;
    /** Accounted bytes per attribution: int node, slot with child count, slot-LRU prev, next, next in node = 20. */
    public static final int ATTRIBUTION_BYTES = AttributionStore.BYTES_PER_ATTRIBUTION;
    /** A record runs at most this many chunks per lock hold (256 chunks: tens of microseconds). */
    static final int DEFAULT_CHUNKS_PER_HOLD = 256;
    private static final int MAX_CHUNK_SIZE = 1 << 20;

    private final ShortHoldLock lock = new ShortHoldLock();
    private final int chunkSize;
    private final long defaultCapacityChars;
    private final ChunkHasher hasher;
    private final TrieState state;
    private final Pruner pruner;
    private final PrefixMatcher matcher;
    private final PathRecorder recorder;

    /** A trie cutting prompts into {@code chunkSize}-char chunks, within {@code maxMemoryBytes}, hashed with seed. */
    public HashTrie(int chunkSize, long maxMemoryBytes, long defaultCapacityChars, long seed) {
        this(chunkSize, maxMemoryBytes, defaultCapacityChars, seed, DEFAULT_CHUNKS_PER_HOLD);
    }

    /** With a given number of chunks a record may work on per lock hold; tests use tiny ones. */
    HashTrie(int chunkSize, long maxMemoryBytes, long defaultCapacityChars, long seed, int chunksPerHold) {
        if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
            throw new IllegalArgumentException("chunkSize must be in [1, " + MAX_CHUNK_SIZE + "], was " + chunkSize);
        }
        if (maxMemoryBytes < NODE_BYTES + ATTRIBUTION_BYTES) {
            throw new IllegalArgumentException("maxMemoryBytes must hold at least one node and one attribution ("
                    + (NODE_BYTES + ATTRIBUTION_BYTES) + " bytes), was " + maxMemoryBytes);
        }
        if (defaultCapacityChars < 0) {
            throw new IllegalArgumentException("defaultCapacityChars must be >= 0, was " + defaultCapacityChars);
        }
        this.chunkSize = chunkSize;
        this.defaultCapacityChars = defaultCapacityChars;
        this.hasher = new ChunkHasher(chunkSize, seed);
        this.state = new TrieState(chunkSize, maxMemoryBytes);
        this.pruner = new Pruner(state);
        this.matcher = new PrefixMatcher(state);
        this.recorder = new PathRecorder(state, new MemoryBudget(state, pruner), pruner, Math.max(1, chunksPerHold));
    }

    /** Hashes the prompt's full chunks; lock-free, one array per call. */
    public PromptKey key(CharSequence prompt) {
        Objects.requireNonNull(prompt, "prompt");
        return key(PromptText.of(prompt));
    }

    /** Hashes the prompt's full chunks, reading its characters once in order; the same key as for its string. */
    public PromptKey key(PromptText prompt) {
        Objects.requireNonNull(prompt, "prompt");
        return new PromptKey(this, hasher.chainedHashes(prompt), prompt.length(), chunkSize);
    }

    /** Per candidate slot, the characters of the key's longest indexed prefix attributed to it (0 if inactive). */
    public int[] match(PromptKey key, int[] candidateSlots) {
        requireOwnKey(key);
        Objects.requireNonNull(candidateSlots, "candidateSlots");
        int[] matched = new int[candidateSlots.length];
        lock.acquire();
        try {
            matcher.match(key, candidateSlots, matched);
        } finally {
            lock.unlock();
        }
        return matched;
    }

    /**
     * Records that the key's prompt was sent to {@code slot}; returns the depth (in chunks) from which this call
     * newly attributed the slot, to pass to {@link #undo}, or {@code key.chunks()} if it added nothing. A slot that
     * is not active is ignored: its engine left while the request was in flight. (Once swept, a slot id can be
     * handed to a new engine, so such a late record could credit the newcomer with one prefix: a wrong guess
     * that costs a cache miss and ages out.)
     */
    public int record(PromptKey key, int slot) {
        requireOwnKey(key);
        requireSlotId(slot);
        PathRecorder.Cursor cursor = new PathRecorder.Cursor(key, slot);
        while (true) { // a long prompt takes several short holds rather than one long one
            lock.acquire();
            try {
                if (!state.slots.isActive(slot) || recorder.advance(cursor)) {
                    return cursor.result();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Takes back what {@link #record} added for a request {@code slot} did not serve after all. */
    public void undo(PromptKey key, int slot, int fromDepth) {
        requireOwnKey(key);
        requireSlotId(slot);
        if (fromDepth < 0 || fromDepth > key.chunks()) {
            throw new IllegalArgumentException("fromDepth must be in [0, " + key.chunks() + "], was " + fromDepth);
        }
        lock.acquire();
        try {
            if (state.slots.isActive(slot)) {
                recorder.undo(key, slot, fromDepth);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Evicts least recently used leaves until accounted bytes are at most {@code targetBytes} or maxNodes went. */
    public int evict(long targetBytes, int maxNodes) {
        if (targetBytes < 0 || maxNodes < 0) {
            throw new IllegalArgumentException("targetBytes and maxNodes must be >= 0, were "
                    + targetBytes + " and " + maxNodes);
        }
        lock.acquire();
        try {
            int evicted = 0;
            while (evicted < maxNodes && state.accountedBytes() > targetBytes && pruner.evictLeastRecent()) {
                evicted++;
            }
            return evicted;
        } finally {
            lock.unlock();
        }
    }

    /** Sweeps up to {@code maxWork} attributions of released slots; returns how many it removed. */
    public int maintain(int maxWork) {
        if (maxWork < 0) {
            throw new IllegalArgumentException("maxWork must be >= 0, was " + maxWork);
        }
        lock.acquire();
        try {
            return pruner.sweepRetired(maxWork);
        } finally {
            lock.unlock();
        }
    }

    /** A new engine slot, the lowest free one, with the default capacity. */
    public int acquireSlot() {
        lock.acquire();
        try {
            return state.slots.acquire(defaultCapacityChars);
        } finally {
            lock.unlock();
        }
    }

    /** Retires an engine: it stops matching now; its slot is reusable once {@link #maintain} swept it. */
    public void releaseSlot(int slot) {
        lock.acquire();
        try {
            state.slots.retire(slot);
        } finally {
            lock.unlock();
        }
    }

    /** Sets how many prompt characters the engine's cache holds, dropping its coldest attributions past that. */
    public void setCapacity(int slot, long capacityChars) {
        if (capacityChars < 0) {
            throw new IllegalArgumentException("capacityChars must be >= 0, was " + capacityChars);
        }
        lock.acquire();
        try {
            state.slots.requireActive(slot);
            state.slots.setCapacityChars(slot, capacityChars);
        } finally {
            lock.unlock();
        }
        boolean more = true;
        while (more) { // in batches, so a big cut never holds the lock for long
            lock.acquire();
            try {
                // The engine may leave (or its capacity change again) between batches: then stop.
                more = state.slots.isActive(slot) && state.slots.capacityChars(slot) == capacityChars
                        && pruner.trimToCapacity(slot, PathRecorder.TRIM_BATCH) > 0 && pruner.isOverCapacity(slot);
            } finally {
                lock.unlock();
            }
        }
    }

    /** Forgets every prefix; active slots stay, released ones become free. */
    public void clear() {
        lock.acquire();
        try {
            state.clear();
        } finally {
            lock.unlock();
        }
    }

    /** A consistent snapshot of sizes, budget and counters. */
    public HashTrieStats stats() {
        lock.acquire();
        try {
            SlotTable slots = state.slots;
            List<HashTrieStats.SlotStats> perSlot = new ArrayList<>();
            for (int slot = 0; slot < slots.highWater(); slot++) {
                if (slots.isActive(slot)) {
                    perSlot.add(new HashTrieStats.SlotStats(slot,
                            (long) slots.attributions[slot] * chunkSize, slots.capacityChars(slot)));
                }
            }
            return new HashTrieStats(state.nodes.size(), state.attrs.size(), state.accountedBytes(), state.maxBytes,
                    allocatedBytes(), state.maxRecordedDepth, state.evictedNodes, state.evictedBytes,
                    state.capacityDropped, slots.retiredCount(), perSlot);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether the index has ever dropped a prefix for its own reasons (a memory eviction, a clear) rather than
     * because the engine is assumed to have dropped it too: until then, a prompt that matches nothing is new to
     * every engine; after, its engine may still hold it. Lock-free.
     */
    public boolean mayHaveForgotten() {
        return state.forgotten;
    }

    /** Characters per chunk. */
    public int chunkSize() {
        return chunkSize;
    }

    /** The hard budget for accounted bytes. */
    public long maxMemoryBytes() {
        return state.maxBytes;
    }

    /** Runs {@code inspection} under the lock; for tests that check the internal invariants. */
    <T> T inspect(Function<TrieState, T> inspection) {
        lock.acquire();
        try {
            return inspection.apply(state);
        } finally {
            lock.unlock();
        }
    }

    private long allocatedBytes() {
        return state.nodes.allocatedBytes() + state.index.allocatedBytes() + state.attrs.allocatedBytes()
                + state.slots.allocatedBytes() + matcher.allocatedBytes();
    }

    private static void requireSlotId(int slot) {
        if (slot < 0 || slot >= SlotTable.MAX_SLOTS) {
            throw new IllegalArgumentException("slot must be in [0, " + SlotTable.MAX_SLOTS + "), was " + slot);
        }
    }

    private void requireOwnKey(PromptKey key) {
        Objects.requireNonNull(key, "key");
        if (!key.isFrom(this)) {
            throw new IllegalArgumentException("the key was made by another HashTrie");
        }
    }
}
