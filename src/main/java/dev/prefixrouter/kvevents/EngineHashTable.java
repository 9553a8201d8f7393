package dev.prefixrouter.kvevents;

/**
 * Each engine's own block hashes mapped to the router's keys, so that a {@code BlockRemoved} (which names only the
 * engine's hash) un-credits exactly the key its {@code BlockStored} credited, and a later {@code BlockStored} can
 * chain from its parent. Per slot: the engine's hash (8), the router key (8) and a meta byte (0 for empty, else the
 * engine index + 1 in the low 7 bits and the CLOCK reference bit on top): {@value #BYTES_PER_SLOT} bytes; at most
 * 3/4 of the slots are used.
 */
final class EngineHashTable extends ProbeTable {

    static final int BYTES_PER_SLOT = 17;
    private static final int REF = 0x80;
    private static final long ENGINE_SPREAD = 0x9e3779b97f4a7c15L;

    long[] engineHashes;
    long[] routerKeys;
    private byte[] meta;

    EngineHashTable(int capacity) {
        super(capacity);
        allocate(capacity);
    }

    private static long hash(int engine, long engineHash) {
        return engineHash ^ (engine + 1) * ENGINE_SPREAD;
    }

    /** The slot of the engine's hash, or -1. */
    int find(int engine, long engineHash) {
        int tag = engine + 1;
        for (int slot = home(hash(engine, engineHash)); ; slot = next(slot)) {
            int m = meta[slot] & 0x7F;
            if (m == 0) {
                return -1;
            }
            if (m == tag && engineHashes[slot] == engineHash) {
                return slot;
            }
        }
    }

    /** Adds a mapping (absent); the caller has made room. */
    int insert(int engine, long engineHash, long routerKey) {
        int slot = home(hash(engine, engineHash));
        while (meta[slot] != 0) {
            slot = next(slot);
        }
        engineHashes[slot] = engineHash;
        routerKeys[slot] = routerKey;
        meta[slot] = (byte) ((engine + 1) | REF);
        size++;
        return slot;
    }

    int engine(int slot) {
        return (meta[slot] & 0x7F) - 1;
    }

    void touch(int slot) {
        meta[slot] |= (byte) REF;
    }

    void resize(int newCapacity) {
        long[] oldHashes = engineHashes;
        long[] oldKeys = routerKeys;
        byte[] oldMeta = meta;
        allocate(newCapacity);
        capacity = newCapacity;
        size = 0;
        moves++;
        for (int i = 0; i < oldMeta.length; i++) {
            if (oldMeta[i] != 0) {
                int slot = insert((oldMeta[i] & 0x7F) - 1, oldHashes[i], oldKeys[i]);
                meta[slot] = oldMeta[i];
            }
        }
    }

    private void allocate(int n) {
        engineHashes = new long[n];
        routerKeys = new long[n];
        meta = new byte[n];
    }

    @Override
    boolean occupied(int slot) {
        return meta[slot] != 0;
    }

    @Override
    boolean referenced(int slot) {
        return (meta[slot] & REF) != 0;
    }

    @Override
    void clearReference(int slot) {
        meta[slot] &= (byte) ~REF;
    }

    @Override
    int homeOf(int slot) {
        return home(hash(engine(slot), engineHashes[slot]));
    }

    @Override
    void move(int from, int to) {
        engineHashes[to] = engineHashes[from];
        routerKeys[to] = routerKeys[from];
        meta[to] = meta[from];
    }

    @Override
    void clear(int slot) {
        engineHashes[slot] = 0;
        routerKeys[slot] = 0;
        meta[slot] = 0;
    }

    @Override
    long allocatedBytes() {
        return (long) capacity * BYTES_PER_SLOT;
    }
}
