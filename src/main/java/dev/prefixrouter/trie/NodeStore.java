package dev.prefixrouter.trie;

import java.util.Arrays;

/**
 * The trie's nodes as parallel primitive arrays indexed by node id, plus the global LRU list threaded through them.
 * Per node: its chained hash, parent id ({@link #NIL} at the root level), child count, LRU links, endpoint bits for
 * slots 0..63 and the head of its attribution chain — {@link #BYTES_PER_NODE} bytes, no object per node.
 *
 * <p>Free ids are kept on a list threaded through {@code lruNext}; a free id has parent {@link #FREE}. The LRU list
 * runs from the most recently touched node ({@link #lruHead}) to the least ({@link #lruTail}). Not thread-safe: the
 * owning {@link HashTrie} serialises access.
 */
final class NodeStore {

    static final int NIL = -1;
    /** long hash + long endpoint bits + five int fields (parent, children, prev, next, attribution head). */
    static final int BYTES_PER_NODE = 8 + 8 + 5 * 4;
    private static final int FREE = -2;

    long[] hash;
    long[] endpointBits;
    int[] parent;
    int[] childCount;
    int[] lruPrev;
    int[] lruNext;
    int[] attrHead;

    int lruHead = NIL;
    int lruTail = NIL;
    private int size;
    private int highWater;
    private int freeHead = NIL;

    NodeStore(int capacity) {
        reset(capacity);
    }

    void reset(int capacity) {
        hash = new long[capacity];
        endpointBits = new long[capacity];
        parent = new int[capacity];
        childCount = new int[capacity];
        lruPrev = new int[capacity];
        lruNext = new int[capacity];
        attrHead = new int[capacity];
        lruHead = lruTail = NIL;
        size = highWater = 0;
        freeHead = NIL;
    }

    int size() {
        return size;
    }

    int capacity() {
        return hash.length;
    }

    boolean isFull() {
        return size == hash.length;
    }

    /** Ids below this have been handed out at least once; ids at or above it have never been used. */
    int highWater() {
        return highWater;
    }

    boolean isLive(int node) {
        return node >= 0 && node < highWater && parent[node] != FREE;
    }

    boolean isLeaf(int node) {
        return childCount[node] == 0;
    }

    /** Takes a free id for a new node under {@code parentNode}; the caller made room and links it into the LRU. */
    int allocate(long chainedHash, int parentNode) {
        int node;
        if (freeHead != NIL) {
            node = freeHead;
            freeHead = lruNext[node];
        } else {
            node = highWater++;
        }
        hash[node] = chainedHash;
        endpointBits[node] = 0;
        parent[node] = parentNode;
        childCount[node] = 0;
        attrHead[node] = NIL;
        lruPrev[node] = lruNext[node] = NIL;
        if (parentNode != NIL) {
            childCount[parentNode]++;
        }
        size++;
        return node;
    }

    /** Returns the id to the free list; the caller has already unlinked it from the LRU, the index and its chain. */
    void free(int node) {
        int p = parent[node];
        if (p != NIL) {
            childCount[p]--;
        }
        parent[node] = FREE;
        lruNext[node] = freeHead;
        freeHead = node;
        size--;
    }

    void grow(int newCapacity) {
        hash = Arrays.copyOf(hash, newCapacity);
        endpointBits = Arrays.copyOf(endpointBits, newCapacity);
        parent = Arrays.copyOf(parent, newCapacity);
        childCount = Arrays.copyOf(childCount, newCapacity);
        lruPrev = Arrays.copyOf(lruPrev, newCapacity);
        lruNext = Arrays.copyOf(lruNext, newCapacity);
        attrHead = Arrays.copyOf(attrHead, newCapacity);
    }

    /** Puts {@code node} right after {@code anchor} in the LRU list, or at its head when anchor is {@link #NIL}. */
    void linkAfter(int node, int anchor) {
        int following = anchor == NIL ? lruHead : lruNext[anchor];
        lruPrev[node] = anchor;
        lruNext[node] = following;
        if (anchor == NIL) {
            lruHead = node;
        } else {
            lruNext[anchor] = node;
        }
        if (following == NIL) {
            lruTail = node;
        } else {
            lruPrev[following] = node;
        }
    }

    void unlink(int node) {
        int prev = lruPrev[node];
        int next = lruNext[node];
        if (prev == NIL) {
            lruHead = next;
        } else {
            lruNext[prev] = next;
        }
        if (next == NIL) {
            lruTail = prev;
        } else {
            lruPrev[next] = prev;
        }
    }

    /** Moves a linked node right after {@code anchor}; a no-op when it is already there (a repeated touch). */
    void moveAfter(int node, int anchor) {
        if (lruPrev[node] == anchor && (anchor != NIL || lruHead == node)) {
            return;
        }
        unlink(node);
        linkAfter(node, anchor);
    }

    long allocatedBytes() {
        return ArrayBytes.of(hash) + ArrayBytes.of(endpointBits) + ArrayBytes.of(parent) + ArrayBytes.of(childCount)
                + ArrayBytes.of(lruPrev) + ArrayBytes.of(lruNext) + ArrayBytes.of(attrHead);
    }
}
