package dev.prefixrouter.kvevents;

/**
 * {@link PreciseIndex}'s tables and the rules that keep them honest, all called under its lock. Invariant: an
 * engine's bit is set on a key only while a mapping of one of that engine's hashes to that key exists, so every
 * {@code BlockRemoved} can un-credit what its {@code BlockStored} credited; whatever cannot be kept (an evicted
 * mapping, a remapped hash) is un-credited rather than left standing. Accounted bytes are the two tables'
 * allocated slots and never exceed {@code maxBytes}.
 */
final class IndexState {

    static final int MAX_ENGINES = 64;
    private static final int MAX_CAPACITY = 1 << 30;

    final long maxBytes;
    final long speculationTtlNanos;
    final KeyTable keys = new KeyTable(ProbeTable.MIN_CAPACITY);
    final EngineHashTable mappings = new EngineHashTable(ProbeTable.MIN_CAPACITY);
    final long[] blocks = new long[MAX_ENGINES];
    long evictedKeys;
    long evictedMappings;
    /** The latest time a caller passed in; stamps removals, which carry no time. */
    private long latestNanos;
    private boolean sawTime;
    /** Engines with a speculation cutoff, and per engine the time up to which its speculation no longer counts. */
    private long cutoffEngines;
    private final long[] speculationCutoff = new long[MAX_ENGINES];

    IndexState(long maxBytes, long speculationTtlNanos) {
        this.maxBytes = maxBytes;
        this.speculationTtlNanos = speculationTtlNanos;
    }

    static long minimumBytes() {
        return (long) ProbeTable.MIN_CAPACITY * (KeyTable.BYTES_PER_SLOT + EngineHashTable.BYTES_PER_SLOT);
    }

    long accountedBytes() {
        return keys.allocatedBytes() + mappings.allocatedBytes();
    }

    void stored(int engine, long engineHash, long routerKey) {
        long key = KeyTable.normalize(routerKey);
        int m = mappings.find(engine, engineHash);
        if (m >= 0) {
            mappings.touch(m);
            long old = mappings.routerKeys[m];
            if (old != key) { // the engine reused a hash for other tokens: its old key is no longer credited
                mappings.routerKeys[m] = key;
                unCredit(engine, old, false);
            }
        } else {
            roomForMapping();
            mappings.insert(engine, engineHash, key);
        }
        int k = keys.find(key);
        if (k < 0) {
            roomForKey();
            k = keys.insert(key);
        } else {
            keys.touch(k);
        }
        long bit = 1L << engine;
        if ((keys.held[k] & bit) == 0) {
            keys.held[k] |= bit;
            blocks[engine]++;
        }
    }

    /** Un-credits the engine's hash (reported and speculative); false if the hash was unknown. */
    boolean removed(int engine, long engineHash) {
        int m = mappings.find(engine, engineHash);
        if (m < 0) {
            // Its mapping was evicted (or never made): the key is unknown, so no speculation of the engine made
            // until now may stand, since it could be on the very key the engine just evicted.
            if (sawTime) {
                speculationCutoff[engine] = latestNanos;
                cutoffEngines |= 1L << engine;
            }
            return false;
        }
        long key = mappings.routerKeys[m];
        mappings.removeAt(m);
        unCredit(engine, key, true);
        return true;
    }

    /** The router key the engine's hash was stored under, or {@link PreciseIndex#UNKNOWN_KEY}. */
    long routerKey(int engine, long engineHash) {
        int m = mappings.find(engine, engineHash);
        return m < 0 ? PreciseIndex.UNKNOWN_KEY : mappings.routerKeys[m];
    }

    void speculate(int engine, long[] routerKeys, int from, int to, long nowNanos) {
        see(nowNanos);
        long bit = 1L << engine;
        for (int i = from; i < to; i++) {
            long key = KeyTable.normalize(routerKeys[i]);
            int k = keys.find(key);
            if (k < 0) {
                roomForKey();
                k = keys.insert(key);
                keys.clearReference(k); // a guess only: the first thing CLOCK may take back
            }
            long standing = liveSpeculation(k, nowNanos); // renewing the time must not revive cut-off guesses
            keys.spec[k] = standing | bit;
            keys.specAt[k] = standing == 0 ? nowNanos : Math.max(keys.specAt[k], nowNanos);
        }
    }

    /**
     * For each engine bit in {@code wanted}, writes into {@code depth[engine]} how many leading keys it holds
     * (reported, or speculated within the TTL), one table lookup per key, stopping once every engine hit a gap.
     */
    void held(long[] routerKeys, long wanted, long nowNanos, int[] depth) {
        see(nowNanos);
        long active = wanted;
        for (int i = 0; i < routerKeys.length && active != 0; i++) {
            int k = keys.find(KeyTable.normalize(routerKeys[i]));
            long bits = 0;
            if (k >= 0) {
                bits = keys.held[k] | liveSpeculation(k, nowNanos);
                keys.touch(k);
            }
            for (long lost = active & ~bits; lost != 0; lost &= lost - 1) {
                depth[Long.numberOfTrailingZeros(lost)] = i;
            }
            active &= bits;
        }
        for (; active != 0; active &= active - 1) {
            depth[Long.numberOfTrailingZeros(active)] = routerKeys.length;
        }
    }

    /** The engines speculatively credited with the key at {@code slot}: within the TTL, after their cutoff. */
    long liveSpeculation(int slot, long nowNanos) {
        long spec = keys.spec[slot];
        if (spec == 0 || nowNanos - keys.specAt[slot] > speculationTtlNanos) {
            return 0;
        }
        for (long cut = spec & cutoffEngines; cut != 0; cut &= cut - 1) {
            int engine = Long.numberOfTrailingZeros(cut);
            if (keys.specAt[slot] - speculationCutoff[engine] <= 0) {
                spec &= ~(1L << engine);
            }
        }
        return spec;
    }

    private void see(long nowNanos) {
        if (!sawTime || nowNanos - latestNanos > 0) {
            latestNanos = nowNanos;
            sawTime = true;
        }
    }

    /** Clears the engine from key slots {@code [from, from + batch)}; returns where to go on, or -1 at the end. */
    int forgetKeys(int engine, int from, int batch) {
        long bit = 1L << engine;
        int slot = from;
        for (int end = (int) Math.min(keys.capacity, (long) from + batch); slot < end; ) {
            if (keys.occupied(slot) && ((keys.held[slot] | keys.spec[slot]) & bit) != 0) {
                if ((keys.held[slot] & bit) != 0) {
                    blocks[engine]--;
                }
                keys.held[slot] &= ~bit;
                keys.spec[slot] &= ~bit;
                if (keys.held[slot] == 0 && keys.spec[slot] == 0) {
                    keys.removeAt(slot);
                    continue; // a later entry may have shifted into this slot
                }
            }
            slot++;
        }
        return slot >= keys.capacity ? -1 : slot;
    }

    /** Deletes the engine's mappings in slots {@code [from, from + batch)}; returns where to go on, or -1. */
    int forgetMappings(int engine, int from, int batch) {
        int slot = from;
        for (int end = (int) Math.min(mappings.capacity, (long) from + batch); slot < end; ) {
            if (mappings.occupied(slot) && mappings.engine(slot) == engine) {
                mappings.removeAt(slot);
                continue;
            }
            slot++;
        }
        return slot >= mappings.capacity ? -1 : slot;
    }

    private void unCredit(int engine, long key, boolean speculationToo) {
        int k = keys.find(key);
        if (k < 0) {
            return;
        }
        long bit = 1L << engine;
        if ((keys.held[k] & bit) != 0) {
            keys.held[k] &= ~bit;
            blocks[engine]--;
        }
        if (speculationToo) {
            keys.spec[k] &= ~bit;
        }
        if (keys.held[k] == 0 && keys.spec[k] == 0) {
            keys.removeAt(k);
        }
    }

    private void roomForKey() {
        while (keys.isFull()) {
            int grown = grownCapacity(keys.capacity, KeyTable.BYTES_PER_SLOT);
            if (grown > keys.capacity) {
                keys.resize(grown);
                return;
            }
            int victim = keys.victim();
            for (long held = keys.held[victim]; held != 0; held &= held - 1) {
                blocks[Long.numberOfTrailingZeros(held)]--;
            }
            keys.removeAt(victim);
            evictedKeys++;
        }
    }

    private void roomForMapping() {
        while (mappings.isFull()) {
            int grown = grownCapacity(mappings.capacity, EngineHashTable.BYTES_PER_SLOT);
            if (grown > mappings.capacity) {
                mappings.resize(grown);
                return;
            }
            int victim = mappings.victim();
            int engine = mappings.engine(victim);
            long key = mappings.routerKeys[victim];
            mappings.removeAt(victim);
            unCredit(engine, key, false); // without its mapping the engine's removal could not reach this credit
            evictedMappings++;
        }
    }

    /**
     * Up to double, within the budget and this table's share of it; the same capacity if what fits is not worth a
     * rehash (under 1/8 more). A table's share is its live entries' bytes over both tables' (at least 1/4), so near
     * the budget the capacity goes where the entries are rather than to whichever table asked first.
     */
    private int grownCapacity(int capacity, int bytesPerSlot) {
        long free = maxBytes - accountedBytes();
        long keyDemand = (long) KeyTable.BYTES_PER_SLOT * Math.max(1, keys.size);
        long mappingDemand = (long) EngineHashTable.BYTES_PER_SLOT * Math.max(1, mappings.size);
        long demand = bytesPerSlot == KeyTable.BYTES_PER_SLOT ? keyDemand : mappingDemand;
        double share = Math.max(0.25, (double) demand / (keyDemand + mappingDemand));
        long shareSlots = (long) (maxBytes * share) / bytesPerSlot;
        long extra = Math.min(Math.min(capacity, free / bytesPerSlot), MAX_CAPACITY - capacity);
        extra = Math.min(extra, Math.max(0, shareSlots - capacity));
        return extra >= Math.max(ProbeTable.MIN_CAPACITY, capacity / 8) ? capacity + (int) extra : capacity;
    }
}
