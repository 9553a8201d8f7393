package dev.prefixrouter.trie;

import java.util.Arrays;

/**
 * Per-engine ("slot") state: lifecycle, the head and tail of the slot's attribution LRU list, how many
 * attributions it has and how many prompt characters it may be credited with. Slots are small ints so that slots
 * 0..63 fit a node's engine bits; slot ids are reused, lowest first, once a retired slot has been swept empty.
 * Not thread-safe.
 */
final class SlotTable {

    /** Attributions pack the slot into 16 bits. */
    static final int MAX_SLOTS = 1 << 16;

    private static final byte FREE = 0;
    private static final byte ACTIVE = 1;
    private static final byte RETIRED = 2;
    private static final int NIL = NodeStore.NIL;

    private byte[] state = new byte[0];
    int[] head = new int[0];
    int[] tail = new int[0];
    int[] attributions = new int[0];
    private long[] capacityChars = new long[0];
    private int highWater;
    private int retired;

    /** The lowest free slot, now active with the given capacity. */
    int acquire(long capacity) {
        int slot = 0;
        while (slot < highWater && state[slot] != FREE) {
            slot++;
        }
        if (slot == MAX_SLOTS) {
            throw new IllegalStateException("all " + MAX_SLOTS + " engine slots are in use");
        }
        if (slot == state.length) {
            grow(Math.min(MAX_SLOTS, Math.max(8, 2 * state.length)));
        }
        highWater = Math.max(highWater, slot + 1);
        state[slot] = ACTIVE;
        head[slot] = tail[slot] = NIL;
        attributions[slot] = 0;
        capacityChars[slot] = capacity;
        return slot;
    }

    /** Stops the slot matching; it is freed at once when it holds nothing, else after {@link #freeSwept}. */
    void retire(int slot) {
        requireActive(slot);
        if (head[slot] == NIL) {
            state[slot] = FREE;
        } else {
            state[slot] = RETIRED;
            retired++;
        }
    }

    void freeSwept(int slot) {
        state[slot] = FREE;
        retired--;
    }

    boolean isActive(int slot) {
        return slot >= 0 && slot < highWater && state[slot] == ACTIVE;
    }

    boolean isRetired(int slot) {
        return slot >= 0 && slot < highWater && state[slot] == RETIRED;
    }

    void requireActive(int slot) {
        if (!isActive(slot)) {
            throw new IllegalArgumentException("slot " + slot + " is not an active engine slot");
        }
    }

    int highWater() {
        return highWater;
    }

    int retiredCount() {
        return retired;
    }

    long capacityChars(int slot) {
        return capacityChars[slot];
    }

    void setCapacityChars(int slot, long chars) {
        capacityChars[slot] = chars;
    }

    /** Forgets every attribution (the index was cleared): retired slots become free, active ones stay. */
    void clearAttributions() {
        for (int slot = 0; slot < highWater; slot++) {
            if (state[slot] == RETIRED) {
                state[slot] = FREE;
            }
            head[slot] = tail[slot] = NIL;
            attributions[slot] = 0;
        }
        retired = 0;
    }

    long allocatedBytes() {
        return ArrayBytes.of(state) + ArrayBytes.of(head) + ArrayBytes.of(tail) + ArrayBytes.of(attributions)
                + ArrayBytes.of(capacityChars);
    }

    private void grow(int capacity) {
        state = Arrays.copyOf(state, capacity);
        head = Arrays.copyOf(head, capacity);
        tail = Arrays.copyOf(tail, capacity);
        attributions = Arrays.copyOf(attributions, capacity);
        capacityChars = Arrays.copyOf(capacityChars, capacity);
    }
}
