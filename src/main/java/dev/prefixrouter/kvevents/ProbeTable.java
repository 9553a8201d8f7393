package dev.prefixrouter.kvevents;

/**
 * What {@link KeyTable} and {@link EngineHashTable} share: open addressing with linear probing over a capacity
 * that need not be a power of two (a slot's home is the hash's high 32 bits scaled to the capacity, so a table can
 * grow by less than doubling and use its budget to the last slot), at most 3/4 full, deletion by backward shift
 * (no tombstones), and CLOCK-like eviction with one reference bit per slot. Not thread-safe: its owner's lock
 * guards it.
 *
 * <p>The eviction hand starts each search at a random slot rather than where it stopped last: a hand that sweeps in
 * order deletes in slot order while inserts land anywhere, so the slots just ahead of it fill up and linear probing
 * degrades into runs of tens of thousands of slots (measured: 31,855 in a 65,536-slot table). From a random start,
 * deletions are as uniform as inserts; the search still clears the reference bits it passes, so a recently touched
 * entry survives until a later search reaches it again.
 */
abstract class ProbeTable {

    static final int MIN_CAPACITY = 16;

    int capacity;
    int size;
    /** Incremented whenever entries move (a deletion's backward shift, a resize): scans in batches restart. */
    long moves;
    private long random = 0x5DEECE66DL;

    ProbeTable(int capacity) {
        this.capacity = capacity;
    }

    /** Whether one more entry would take the table past 3/4 full. */
    final boolean isFull() {
        return (size + 1) * 4L > capacity * 3L;
    }

    final int home(long hash) {
        long mixed = mix(hash);
        return (int) (((mixed >>> 32) * capacity) >>> 32);
    }

    final int next(int slot) {
        return slot + 1 == capacity ? 0 : slot + 1;
    }

    /** The victim: from a random slot, the first occupied one whose reference bit is clear, clearing bits on the way. */
    final int victim() {
        random ^= random << 13; // xorshift64: cheap, and good enough to spread starting points
        random ^= random >>> 7;
        random ^= random << 17;
        int hand = (int) (((random >>> 32) * capacity) >>> 32);
        for (long step = 0; step <= 2L * capacity; step++) {
            hand = next(hand);
            if (occupied(hand)) {
                if (!referenced(hand)) {
                    return hand;
                }
                clearReference(hand);
            }
        }
        return -1;
    }

    /** Deletes the entry at {@code slot}, shifting later entries of its probe run back so lookups still find them. */
    final void removeAt(int slot) {
        int hole = slot;
        int j = next(slot);
        while (occupied(j)) {
            int h = homeOf(j);
            boolean inRun = hole <= j ? hole < h && h <= j : hole < h || h <= j;
            if (!inRun) {
                move(j, hole);
                hole = j;
            }
            j = next(j);
        }
        clear(hole);
        size--;
        moves++;
    }

    abstract boolean occupied(int slot);

    abstract boolean referenced(int slot);

    abstract void clearReference(int slot);

    abstract int homeOf(int slot);

    abstract void move(int from, int to);

    abstract void clear(int slot);

    /** Bytes of the backing arrays (their headers aside). */
    abstract long allocatedBytes();

    static long mix(long x) { // murmur3's fmix64: cheap, and a full avalanche of caller-chosen values
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        return x ^ (x >>> 33);
    }
}
