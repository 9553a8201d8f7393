package dev.prefixrouter.trie;

/**
 * Open-addressing hash table from a node's chained hash to its id: linear probing over an {@code int[]} of
 * {@code id + 1} (0 marks an empty slot), always exactly {@link #SLOTS_PER_NODE} slots per node of capacity, so the
 * load factor stays at or below one half. Deletion shifts the rest of the probe run back (no tombstones), so a
 * lookup never walks past entries that no longer exist.
 *
 * <p>The hashes themselves live in the {@link NodeStore}; a probe compares against them. The home slot is
 * taken from the hash's high 32 bits by multiply-shift, which works for any table length (the length need not be a
 * power of two, so the budget is used to the last node). Not thread-safe.
 */
final class NodeIndex {

    static final int SLOTS_PER_NODE = 2;
    static final int BYTES_PER_NODE = SLOTS_PER_NODE * 4;

    private int[] table;

    NodeIndex(int nodeCapacity) {
        table = new int[nodeCapacity * SLOTS_PER_NODE];
    }

    /** The id of the node with this hash, or {@link NodeStore#NIL}. */
    int find(long chainedHash, NodeStore nodes) {
        int[] t = table;
        int i = home(chainedHash, t.length);
        while (true) {
            int entry = t[i];
            if (entry == 0) {
                return NodeStore.NIL;
            }
            if (nodes.hash(entry - 1) == chainedHash) {
                return entry - 1;
            }
            if (++i == t.length) {
                i = 0;
            }
        }
    }

    /** Adds the node unless its hash is already present (a collision); returns whether it was added. */
    boolean insertIfAbsent(long chainedHash, int node, NodeStore nodes) {
        int[] t = table;
        int i = home(chainedHash, t.length);
        for (int entry = t[i]; entry != 0; entry = t[i]) {
            if (nodes.hash(entry - 1) == chainedHash) {
                return false;
            }
            if (++i == t.length) {
                i = 0;
            }
        }
        t[i] = node + 1;
        return true;
    }

    /** Adds a node whose hash is known to be absent (while rebuilding). */
    private void insert(long chainedHash, int node) {
        int[] t = table;
        int i = home(chainedHash, t.length);
        while (t[i] != 0) {
            if (++i == t.length) {
                i = 0;
            }
        }
        t[i] = node + 1;
    }

    /** Removes a node that is in the table, shifting later members of its probe run back into the gap. */
    void remove(long chainedHash, NodeStore nodes) {
        int[] t = table;
        int len = t.length;
        int gap = home(chainedHash, len);
        while (nodes.hash(t[gap] - 1) != chainedHash) {
            if (++gap == len) {
                gap = 0;
            }
        }
        int i = gap;
        while (true) {
            if (++i == len) {
                i = 0;
            }
            int entry = t[i];
            if (entry == 0) {
                break;
            }
            int wanted = home(nodes.hash(entry - 1), len);
            // The entry may fill the gap only if its home is not cyclically within (gap, i].
            boolean homeBetween = gap <= i ? (gap < wanted && wanted <= i) : (gap < wanted || wanted <= i);
            if (!homeBetween) {
                t[gap] = entry;
                gap = i;
            }
        }
        t[gap] = 0;
    }

    /** Re-sizes the table for a new node capacity and re-inserts every live node. */
    void rebuild(int nodeCapacity, NodeStore nodes) {
        table = new int[nodeCapacity * SLOTS_PER_NODE];
        for (int node = 0, end = nodes.highWater(); node < end; node++) {
            if (nodes.isLive(node)) {
                insert(nodes.hash(node), node);
            }
        }
    }

    int size() {
        int entries = 0;
        for (int entry : table) {
            if (entry != 0) {
                entries++;
            }
        }
        return entries;
    }

    long allocatedBytes() {
        return ArrayBytes.of(table);
    }

    private static int home(long chainedHash, int length) {
        return (int) (((chainedHash >>> 32) * length) >>> 32);
    }
}
