package dev.prefixrouter.kvevents;

/**
 * Router block keys and who holds them: per key, the engines that reported it ({@code held}, one bit per engine
 * index), the engines it was speculatively credited to ({@code spec}) and when that speculation was last renewed
 * ({@code specAt}, {@link System#nanoTime()}), and a CLOCK reference bit. 8 + 8 + 8 + 8 + 1 = {@value #BYTES_PER_SLOT}
 * bytes per slot; at most 3/4 of the slots are used. Key 0 marks an empty slot, so a caller's key 0 is stored as
 * {@link #ZERO_ALIAS} (a collision no likelier than any other between 64-bit hashes).
 */
final class KeyTable extends ProbeTable {

    static final int BYTES_PER_SLOT = 33;
    static final long ZERO_ALIAS = 0x9e3779b97f4a7c15L;

    long[] keys;
    long[] held;
    long[] spec;
    long[] specAt;
    private byte[] ref;

    KeyTable(int capacity) {
        super(capacity);
        allocate(capacity);
    }

    static long normalize(long key) {
        return key == 0 ? ZERO_ALIAS : key;
    }

    /** The slot of {@code key} (normalized), or -1. */
    int find(long key) {
        for (int slot = home(key); ; slot = next(slot)) {
            long k = keys[slot];
            if (k == key) {
                return slot;
            }
            if (k == 0) {
                return -1;
            }
        }
    }

    /** Adds {@code key} (normalized, absent), with nobody holding it; the caller has made room. */
    int insert(long key) {
        int slot = home(key);
        while (keys[slot] != 0) {
            slot = next(slot);
        }
        keys[slot] = key;
        ref[slot] = 1;
        size++;
        return slot;
    }

    void touch(int slot) {
        ref[slot] = 1;
    }

    void resize(int newCapacity) {
        long[] oldKeys = keys;
        long[] oldHeld = held;
        long[] oldSpec = spec;
        long[] oldSpecAt = specAt;
        allocate(newCapacity);
        capacity = newCapacity;
        size = 0;
        moves++;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                int slot = insert(oldKeys[i]);
                held[slot] = oldHeld[i];
                spec[slot] = oldSpec[i];
                specAt[slot] = oldSpecAt[i];
            }
        }
    }

    private void allocate(int n) {
        keys = new long[n];
        held = new long[n];
        spec = new long[n];
        specAt = new long[n];
        ref = new byte[n];
    }

    @Override
    boolean occupied(int slot) {
        return keys[slot] != 0;
    }

    @Override
    boolean referenced(int slot) {
        return ref[slot] != 0;
    }

    @Override
    void clearReference(int slot) {
        ref[slot] = 0;
    }

    @Override
    int homeOf(int slot) {
        return home(keys[slot]);
    }

    @Override
    void move(int from, int to) {
        keys[to] = keys[from];
        held[to] = held[from];
        spec[to] = spec[from];
        specAt[to] = specAt[from];
        ref[to] = ref[from];
    }

    @Override
    void clear(int slot) {
        keys[slot] = 0;
        held[slot] = 0;
        spec[slot] = 0;
        specAt[slot] = 0;
        ref[slot] = 0;
    }

    @Override
    long allocatedBytes() {
        return (long) capacity * BYTES_PER_SLOT;
    }
}
