package dev.prefixrouter.trie;

import java.util.Arrays;

/**
 * The trie's nodes, each an interleaved record of {@link #INTS_PER_NODE} ints in one {@code int[]}, plus the global
 * LRU list threaded through them. Per node: its chained hash, parent id ({@link #NIL} at the root level), engine
 * bits for slots 0..63, LRU links, the head of its attribution chain and its child count — {@link #BYTES_PER_NODE}
 * bytes and no object per node.
 *
 * <p>Why records rather than one array per field: on a trie larger than the CPU caches, each field array is its own
 * cache miss per chunk. Match reads hash, parent and bits, record also the LRU and chain links; laid side by side
 * (in that order) they share one cache line, or two when a record straddles a line. Same bytes as parallel arrays.
 *
 * <p>Free ids are kept on a list threaded through the LRU-next field; a free id has parent {@link #FREE}. Two LRU
 * lists share the links: root-level nodes ({@link #rootHead} … {@link #rootTail}) and the nodes below them
 * ({@link #lruHead} … {@link #lruTail}), each from the most recently touched to the least; eviction takes from the
 * second while it has any ({@link #evictionCandidate()}). Not thread-safe: the owning {@link HashTrie} serialises
 * access.
 */
final class NodeStore {

    static final int NIL = -1;
    static final int INTS_PER_NODE = 9;
    /** long hash + long engine bits + five int fields (parent, prev, next, attribution head, children). */
    static final int BYTES_PER_NODE = 4 * INTS_PER_NODE;
    /** Ids times the record size must stay a valid int index. */
    static final int MAX_CAPACITY = (Integer.MAX_VALUE - 8) / INTS_PER_NODE;
    private static final int FREE = -2;

    private static final int HASH_HIGH = 0;
    private static final int HASH_LOW = 1;
    private static final int PARENT = 2;
    private static final int BITS_HIGH = 3;
    private static final int BITS_LOW = 4;
    private static final int LRU_PREV = 5;
    private static final int ATTR_HEAD = 6;
    private static final int LRU_NEXT = 7;
    private static final int CHILDREN = 8;

    private int[] data;
    /** The LRU list of nodes below the root level, most recently touched first. */
    int lruHead = NIL;
    int lruTail = NIL;
    /** The LRU list of root-level nodes (first chunks), most recently touched first. */
    int rootHead = NIL;
    int rootTail = NIL;
    private int roots;
    private int size;
    private int highWater;
    private int freeHead = NIL;

    NodeStore(int capacity) {
        reset(capacity);
    }

    void reset(int capacity) {
        data = new int[capacity * INTS_PER_NODE];
        lruHead = lruTail = rootHead = rootTail = NIL;
        roots = 0;
        size = highWater = 0;
        freeHead = NIL;
    }

    int size() {
        return size;
    }

    int capacity() {
        return data.length / INTS_PER_NODE;
    }

    boolean isFull() {
        return size == capacity();
    }

    /** Ids below this have been handed out at least once; ids at or above it have never been used. */
    int highWater() {
        return highWater;
    }

    boolean isLive(int node) {
        return node >= 0 && node < highWater && data[node * INTS_PER_NODE + PARENT] != FREE;
    }

    long hash(int node) {
        int base = node * INTS_PER_NODE;
        return ((long) data[base + HASH_HIGH] << 32) | (data[base + HASH_LOW] & 0xFFFF_FFFFL);
    }

    int parent(int node) {
        return data[node * INTS_PER_NODE + PARENT];
    }

    long slotBits(int node) {
        int base = node * INTS_PER_NODE;
        return ((long) data[base + BITS_HIGH] << 32) | (data[base + BITS_LOW] & 0xFFFF_FFFFL);
    }

    boolean hasBit(int node, int slot) {
        int field = node * INTS_PER_NODE + (slot < 32 ? BITS_LOW : BITS_HIGH);
        return (data[field] & (1 << slot)) != 0; // int shifts use the low 5 bits: slot & 31
    }

    void setBit(int node, int slot) {
        data[node * INTS_PER_NODE + (slot < 32 ? BITS_LOW : BITS_HIGH)] |= 1 << slot;
    }

    void clearBit(int node, int slot) {
        data[node * INTS_PER_NODE + (slot < 32 ? BITS_LOW : BITS_HIGH)] &= ~(1 << slot);
    }

    int childCount(int node) {
        return data[node * INTS_PER_NODE + CHILDREN];
    }

    boolean isLeaf(int node) {
        return childCount(node) == 0;
    }

    int attrHead(int node) {
        return data[node * INTS_PER_NODE + ATTR_HEAD];
    }

    void setAttrHead(int node, int attribution) {
        data[node * INTS_PER_NODE + ATTR_HEAD] = attribution;
    }

    int lruPrev(int node) {
        return data[node * INTS_PER_NODE + LRU_PREV];
    }

    int lruNext(int node) {
        return data[node * INTS_PER_NODE + LRU_NEXT];
    }

    /** Takes a free id for a new node under {@code parentNode}; the caller made room and links it into the LRU. */
    int allocate(long chainedHash, int parentNode) {
        int node;
        if (freeHead != NIL) {
            node = freeHead;
            freeHead = lruNext(node);
        } else {
            node = highWater++;
        }
        int base = node * INTS_PER_NODE;
        data[base + HASH_HIGH] = (int) (chainedHash >>> 32);
        data[base + HASH_LOW] = (int) chainedHash;
        data[base + PARENT] = parentNode;
        data[base + BITS_HIGH] = data[base + BITS_LOW] = 0;
        data[base + LRU_PREV] = data[base + LRU_NEXT] = NIL;
        data[base + ATTR_HEAD] = NIL;
        data[base + CHILDREN] = 0;
        if (parentNode != NIL) {
            data[parentNode * INTS_PER_NODE + CHILDREN]++;
        }
        size++;
        return node;
    }

    /** Returns the id to the free list; the caller has already unlinked it from the LRU, the index and its chain. */
    void free(int node) {
        int base = node * INTS_PER_NODE;
        int p = data[base + PARENT];
        if (p != NIL) {
            data[p * INTS_PER_NODE + CHILDREN]--;
        }
        data[base + PARENT] = FREE;
        data[base + LRU_NEXT] = freeHead;
        freeHead = node;
        size--;
    }

    void grow(int newCapacity) {
        data = Arrays.copyOf(data, newCapacity * INTS_PER_NODE);
    }

    /**
     * Puts {@code node} right after {@code anchor} in its LRU list, or at that list's head when anchor is
     * {@link #NIL} or a root (roots and deeper nodes keep separate lists).
     */
    void linkAfter(int node, int anchor) {
        boolean root = parent(node) == NIL;
        int after = anchorInList(root, anchor);
        int following = after == NIL ? head(root) : lruNext(after);
        data[node * INTS_PER_NODE + LRU_PREV] = after;
        data[node * INTS_PER_NODE + LRU_NEXT] = following;
        if (root) {
            roots++;
        }
        if (after == NIL) {
            if (root) {
                rootHead = node;
            } else {
                lruHead = node;
            }
        } else {
            data[after * INTS_PER_NODE + LRU_NEXT] = node;
        }
        if (following == NIL) {
            if (root) {
                rootTail = node;
            } else {
                lruTail = node;
            }
        } else {
            data[following * INTS_PER_NODE + LRU_PREV] = node;
        }
    }

    void unlink(int node) {
        boolean root = parent(node) == NIL;
        int prev = lruPrev(node);
        int next = lruNext(node);
        if (root) {
            roots--;
        }
        if (prev != NIL) {
            data[prev * INTS_PER_NODE + LRU_NEXT] = next;
        } else if (root) {
            rootHead = next;
        } else {
            lruHead = next;
        }
        if (next != NIL) {
            data[next * INTS_PER_NODE + LRU_PREV] = prev;
        } else if (root) {
            rootTail = prev;
        } else {
            lruTail = prev;
        }
    }

    /** Moves a linked node right after {@code anchor}; a no-op when it is already there (a repeated touch). */
    void moveAfter(int node, int anchor) {
        boolean root = parent(node) == NIL;
        int after = anchorInList(root, anchor);
        if (lruPrev(node) == after && (after != NIL || head(root) == node)) {
            return;
        }
        unlink(node);
        linkAfter(node, after);
    }

    /** {@code anchor} if it is in the list a node of this level belongs to, else {@link #NIL} (that list's head). */
    private int anchorInList(boolean root, int anchor) {
        boolean anchorIsRoot = anchor != NIL && parent(anchor) == NIL;
        return root == anchorIsRoot ? anchor : NIL;
    }

    private int head(boolean root) {
        return root ? rootHead : lruHead;
    }

    /**
     * The next node to evict: the least recently used node below the root level, else the least recently used
     * root. A cold conversation is trimmed down to its first chunk before any first chunk goes, so the index keeps
     * the one node that says which engine served it for as long as it can — but roots may hold at most half the
     * nodes: beyond that the coldest root goes first if it is a leaf, or the first chunks of conversations long
     * finished would crowd out everything that is live. {@link #NIL} when empty. Always a leaf.
     */
    int evictionCandidate() {
        if (rootTail != NIL && (lruTail == NIL || 2 * roots > size) && isLeaf(rootTail)) {
            return rootTail;
        }
        return lruTail != NIL ? lruTail : rootTail;
    }

    /** {@link #evictionCandidate()}, or the best other leaf when that is {@code spared}; {@link #NIL} if none. */
    int evictionCandidateSparing(int spared) {
        int candidate = evictionCandidate();
        if (candidate != spared) {
            return candidate;
        }
        if (lruTail != NIL && lruTail != spared) {
            return lruTail;
        }
        return rootTail != NIL && rootTail != spared && isLeaf(rootTail) ? rootTail : NIL;
    }

    /** Nodes in the root-level LRU list. */
    int roots() {
        return roots;
    }

    long allocatedBytes() {
        return ArrayBytes.of(data);
    }
}
