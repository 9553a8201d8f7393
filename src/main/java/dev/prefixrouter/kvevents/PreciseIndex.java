package dev.prefixrouter.kvevents;

import dev.prefixrouter.trie.ShortHoldLock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Which engines hold which full KV blocks, by the router's own block keys ({@link BlockKeys}), from the engines' own
 * {@code BlockStored}/{@code BlockRemoved} reports plus short-lived speculative credit, inside an exact memory budget.
 *
 * <p>Engines: each engine id is registered to a small index 0..63, one bit of a {@code long} mask per key. A 65th
 * engine is not tracked ({@link #register} returns -1): routing treats it approximately, as it does an engine
 * without events.
 *
 * <p>Memory: two open-addressing tables, router keys ({@value KeyTable#BYTES_PER_SLOT} bytes per slot: key, reported
 * engines, speculated engines, speculation time, CLOCK bit) and engine hashes ({@value EngineHashTable#BYTES_PER_SLOT}
 * bytes per slot: the engine's hash, its router key, engine and CLOCK bit), each at most 3/4 full, so about 44 and
 * 23 bytes per live entry. The accounted bytes are the tables' allocated slots and never exceed
 * {@code maxMemoryBytes}; the real heap adds only the arrays' headers and this object's fixed fields (a 64-entry
 * registry). Tables grow by up to doubling while the budget allows (the last growth takes what is left) and are
 * then held at their size by eviction; capacity one table took is not given back to the other. Growth rehashes
 * under the lock, at most about log2(budget / 800) times per table.
 *
 * <p>Eviction: when a table is full and cannot grow, a CLOCK-like second chance picks the victim (searching from a
 * random slot, see {@link ProbeTable}): entries touched since a search last passed (stored, matched, reported
 * again) survive one more round; speculative-only keys start without that bit. An evicted key stops being credited to every engine; an evicted mapping un-credits its engine on
 * its key, since that engine's later removal could no longer find it. Eviction only ever removes credit: the index
 * never credits an engine with a block it reported evicted, and every eviction is counted.
 *
 * <p>Speculation: {@link #speculate} credits an engine with a prompt's keys the moment a request is routed to it,
 * because its {@code BlockStored} arrives only after prefill; {@link #held} counts a key as the engine's if it was
 * reported or speculated within {@code speculationTtl}. It costs no extra memory: per key, one mask of speculated
 * engines and the time of the newest speculation, so an engine's speculative credit on a key lasts until the TTL
 * after the last speculation of any engine on that key (a hot prefix sent to several engines keeps each credited a
 * little longer; routing there makes it true soon after). A removal or forget of the engine clears its speculation
 * too, so a prefix the engine reported evicted never attracts requests through a guess made before the eviction.
 * When the index cannot tell which key a removal names (the hash's mapping was evicted for memory), it drops every
 * guess of that engine made up to then (a per-engine cutoff, stamped with the latest time callers passed in), which
 * is coarse but keeps the promise.
 *
 * <p>Concurrency: one non-fair lock, after a short spin, for bounded work: {@link #held} one lookup per key of the
 * prompt; {@link #speculate} {@value #KEYS_PER_HOLD} keys per hold; {@link #forget} {@value #FORGET_SLOTS_PER_HOLD}
 * slots per hold, restarting its scan if other writers moved entries in between (then, after two such passes, one
 * last pass in a single hold). While an engine is forgotten it holds nothing, and its reports and speculation are
 * ignored. Built for event-loop readers and one writer thread per engine; nothing is allocated per key.
 */
public final class PreciseIndex {

    /** What {@link #routerKey} returns for a hash the engine never reported (or whose mapping was evicted). */
    public static final long UNKNOWN_KEY = 0L;
    static final int KEYS_PER_HOLD = 256;
    static final int FORGET_SLOTS_PER_HOLD = 4096;

    private final ShortHoldLock lock = new ShortHoldLock();
    private final IndexState state;
    private final EngineIndexes engines = new EngineIndexes();

    /** An index within {@code maxMemoryBytes}, crediting speculation for {@code speculationTtl}. */
    public PreciseIndex(long maxMemoryBytes, Duration speculationTtl) {
        if (maxMemoryBytes < IndexState.minimumBytes()) {
            throw new IllegalArgumentException("maxMemoryBytes must be at least " + IndexState.minimumBytes()
                    + " (the smallest tables), was " + maxMemoryBytes);
        }
        Objects.requireNonNull(speculationTtl, "speculationTtl");
        if (speculationTtl.isNegative()) {
            throw new IllegalArgumentException("speculationTtl must not be negative, was " + speculationTtl);
        }
        this.state = new IndexState(maxMemoryBytes, speculationTtl.toNanos());
    }

    /** The engine's index, registering it at the lowest free one; -1 if all 64 are taken (it is not tracked). */
    public int register(String engineId) {
        Objects.requireNonNull(engineId, "engineId");
        int known = engines.indexOf(engineId);
        if (known >= 0) {
            return known;
        }
        lock.acquire();
        try {
            return engines.assign(engineId);
        } finally {
            lock.unlock();
        }
    }

    /** The engine's index, or -1 if it is not registered; lock-free. */
    public int indexOf(String engineId) {
        return engines.indexOf(engineId);
    }

    /** Forgets the engine and frees its index for another (the engine left the fleet). */
    public void unregister(String engineId) {
        int engine = indexOf(engineId);
        if (engine < 0) {
            return;
        }
        forget(engine);
        lock.acquire();
        try {
            engines.release(engineId, engine);
        } finally {
            lock.unlock();
        }
    }

    /** Credits the engine with {@code routerKey}, reported under its own {@code engineHash}. */
    public void stored(int engine, long engineHash, long routerKey) {
        lock.acquire();
        try {
            if (isWritable(engine)) {
                state.stored(engine, engineHash, routerKey);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Un-credits the key the engine stored under {@code engineHash}, speculation included; false if unknown. */
    public boolean removed(int engine, long engineHash) {
        lock.acquire();
        try {
            return isWritable(engine) && state.removed(engine, engineHash);
        } finally {
            lock.unlock();
        }
    }

    /** The router key the engine stored under {@code engineHash}, or {@link #UNKNOWN_KEY}. */
    public long routerKey(int engine, long engineHash) {
        lock.acquire();
        try {
            return isWritable(engine) ? state.routerKey(engine, engineHash) : UNKNOWN_KEY;
        } finally {
            lock.unlock();
        }
    }

    /** Credits the engine with the keys for {@code speculationTtl} from {@code nowNanos}: a request was just sent. */
    public void speculate(int engine, long[] routerKeys, long nowNanos) {
        Objects.requireNonNull(routerKeys, "routerKeys");
        for (int from = 0; from < routerKeys.length; from += KEYS_PER_HOLD) {
            lock.acquire();
            try {
                if (!isWritable(engine)) {
                    return;
                }
                state.speculate(engine, routerKeys, from, Math.min(routerKeys.length, from + KEYS_PER_HOLD),
                        nowNanos);
            } finally {
                lock.unlock();
            }
        }
    }

    /** {@link #speculate(int, long[], long)} by engine id; an unregistered engine is ignored. */
    public void speculate(String engineId, long[] routerKeys, long nowNanos) {
        int engine = indexOf(engineId);
        if (engine >= 0) {
            speculate(engine, routerKeys, nowNanos);
        }
    }

    /**
     * Per engine index, how many leading keys of the prompt it holds (reported, or speculated within the TTL),
     * stopping at its first gap; 0 for an index out of range, unregistered or being forgotten.
     */
    public int[] held(long[] routerKeys, int[] engineIndexes, long nowNanos) {
        Objects.requireNonNull(routerKeys, "routerKeys");
        int[] depth = new int[IndexState.MAX_ENGINES];
        int[] result = new int[engineIndexes.length];
        lock.acquire();
        try {
            long wanted = 0;
            for (int engine : engineIndexes) {
                if (isWritable(engine)) {
                    wanted |= 1L << engine;
                }
            }
            state.held(routerKeys, wanted, nowNanos, depth);
            for (int i = 0; i < engineIndexes.length; i++) {
                int engine = engineIndexes[i];
                result[i] = isWritable(engine) ? depth[engine] : 0;
            }
        } finally {
            lock.unlock();
        }
        return result;
    }

    /** {@link #held(long[], int[], long)} by engine ids; 0 for an engine that is not registered. */
    public int[] held(long[] routerKeys, String[] engineIds, long nowNanos) {
        int[] engines = new int[engineIds.length];
        for (int i = 0; i < engineIds.length; i++) {
            engines[i] = indexOf(engineIds[i]);
        }
        return held(routerKeys, engines, nowNanos);
    }

    /** Forgets everything the engine reported or was speculatively credited with; it stays registered. */
    public void forget(String engineId) {
        int engine = indexOf(engineId);
        if (engine >= 0) {
            forget(engine);
        }
    }

    /** {@link #forget(String)} by index. */
    public void forget(int engine) {
        requireIndex(engine);
        lock.acquire();
        try {
            engines.forgetting(engine, true);
        } finally {
            lock.unlock();
        }
        try {
            sweep(state.keys, (from, batch) -> state.forgetKeys(engine, from, batch));
            sweep(state.mappings, (from, batch) -> state.forgetMappings(engine, from, batch));
        } finally {
            lock.acquire();
            try {
                engines.forgetting(engine, false);
            } finally {
                lock.unlock();
            }
        }
    }

    /** A consistent snapshot of sizes, budget, evictions and per-engine blocks. */
    public PreciseIndexStats stats() {
        lock.acquire();
        try {
            List<PreciseIndexStats.EngineBlocks> perEngine = new ArrayList<>();
            for (int i = 0; i < IndexState.MAX_ENGINES; i++) {
                if (engines.idOf(i) != null) {
                    perEngine.add(new PreciseIndexStats.EngineBlocks(engines.idOf(i), i, state.blocks[i]));
                }
            }
            return new PreciseIndexStats(state.keys.size, state.mappings.size, state.accountedBytes(),
                    state.maxBytes, state.evictedKeys, state.evictedMappings, perEngine);
        } finally {
            lock.unlock();
        }
    }

    /** The budget of accounted bytes. */
    public long maxMemoryBytes() {
        return state.maxBytes;
    }

    /** Runs {@code inspection} under the lock; for tests that check the internal invariants. */
    <T> T inspect(Function<IndexState, T> inspection) {
        lock.acquire();
        try {
            return inspection.apply(state);
        } finally {
            lock.unlock();
        }
    }

    private interface Batch {
        int run(int from, int batch);
    }

    /** Runs {@code batch} over the whole table in short holds; again if others moved entries meanwhile. */
    private void sweep(ProbeTable table, Batch batch) {
        for (int pass = 0; pass < 2; pass++) {
            boolean moved = false;
            long movesAfterLastHold = -1;
            for (int from = 0; from >= 0; ) {
                lock.acquire();
                try {
                    moved |= movesAfterLastHold >= 0 && table.moves != movesAfterLastHold;
                    from = batch.run(from, FORGET_SLOTS_PER_HOLD);
                    movesAfterLastHold = table.moves;
                } finally {
                    lock.unlock();
                }
            }
            if (!moved) {
                return;
            }
        }
        lock.acquire();
        try {
            batch.run(0, Integer.MAX_VALUE);
        } finally {
            lock.unlock();
        }
    }

    private boolean isWritable(int engine) {
        return engines.isWritable(engine);
    }

    private static void requireIndex(int engine) {
        if (engine < 0 || engine >= IndexState.MAX_ENGINES) {
            throw new IllegalArgumentException("engine index must be in [0, 64), was " + engine);
        }
    }
}
