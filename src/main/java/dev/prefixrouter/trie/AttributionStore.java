package dev.prefixrouter.trie;

import java.util.Arrays;

/**
 * (node, endpoint) attributions as parallel primitive arrays indexed by attribution id. Each attribution sits on two
 * lists: its slot's LRU list ({@code prev}/{@code next}, most recent at {@link SlotTable#head}) and its node's
 * singly linked chain ({@code nextInNode}, starting at {@link NodeStore#attrHead}). Slots 0..63 are mirrored in the
 * node's endpoint bits, so a miss for them costs no chain walk.
 *
 * <p>The slot shares an int with a 16-bit count of the node's children that carry the same slot; {@code undo} reads
 * it to leave an attribution alone while a child still depends on it. The count saturates and then stays put, which
 * only makes {@code undo} keep an attribution it could have removed. Node chains are move-to-front on
 * {@link #findAndPromote}, so the endpoint a prefix is usually sent to is found first. Not thread-safe.
 */
final class AttributionStore {

    static final int NIL = NodeStore.NIL;
    /** Five int fields: node, slot with child count, slot-LRU prev and next, next in node chain. */
    static final int BYTES_PER_ATTRIBUTION = 5 * 4;
    private static final int SLOT_MASK = 0xFFFF;
    private static final int COUNT_UNIT = 1 << 16;
    private static final int COUNT_SATURATED = 0xFFFF;
    private static final int FREE = -2;

    int[] node;
    int[] slotAndCount;
    int[] prev;
    int[] next;
    int[] nextInNode;

    private int size;
    private int highWater;
    private int freeHead = NIL;

    AttributionStore(int capacity) {
        reset(capacity);
    }

    void reset(int capacity) {
        node = new int[capacity];
        slotAndCount = new int[capacity];
        prev = new int[capacity];
        next = new int[capacity];
        nextInNode = new int[capacity];
        size = highWater = 0;
        freeHead = NIL;
    }

    int size() {
        return size;
    }

    int capacity() {
        return node.length;
    }

    boolean isFull() {
        return size == node.length;
    }

    int highWater() {
        return highWater;
    }

    boolean isLive(int attribution) {
        return attribution >= 0 && attribution < highWater && node[attribution] != FREE;
    }

    int slot(int attribution) {
        return slotAndCount[attribution] & SLOT_MASK;
    }

    int childAttributions(int attribution) {
        return slotAndCount[attribution] >>> 16;
    }

    boolean isSaturated(int attribution) {
        return childAttributions(attribution) == COUNT_SATURATED;
    }

    void addChild(int attribution) {
        if (childAttributions(attribution) != COUNT_SATURATED) {
            slotAndCount[attribution] += COUNT_UNIT;
        }
    }

    void removeChild(int attribution) {
        int count = childAttributions(attribution);
        assert count > 0 : "child count underflow on attribution " + attribution;
        if (count != COUNT_SATURATED && count > 0) {
            slotAndCount[attribution] -= COUNT_UNIT;
        }
    }

    /** A new attribution of {@code nodeId} to {@code slot}, not yet on any list; the caller made room. */
    int allocate(int nodeId, int slot) {
        int a;
        if (freeHead != NIL) {
            a = freeHead;
            freeHead = next[a];
        } else {
            a = highWater++;
        }
        node[a] = nodeId;
        slotAndCount[a] = slot;
        prev[a] = next[a] = nextInNode[a] = NIL;
        size++;
        return a;
    }

    void free(int attribution) {
        node[attribution] = FREE;
        next[attribution] = freeHead;
        freeHead = attribution;
        size--;
    }

    void grow(int newCapacity) {
        node = Arrays.copyOf(node, newCapacity);
        slotAndCount = Arrays.copyOf(slotAndCount, newCapacity);
        prev = Arrays.copyOf(prev, newCapacity);
        next = Arrays.copyOf(next, newCapacity);
        nextInNode = Arrays.copyOf(nextInNode, newCapacity);
    }

    // ---- node chains ----

    /** The node's attribution to {@code slot}, or {@link #NIL}. */
    int find(int nodeId, int slot, NodeStore nodes) {
        if (slot < 64 && (nodes.endpointBits[nodeId] & (1L << slot)) == 0) {
            return NIL;
        }
        for (int a = nodes.attrHead[nodeId]; a != NIL; a = nextInNode[a]) {
            if ((slotAndCount[a] & SLOT_MASK) == slot) {
                return a;
            }
        }
        return NIL;
    }

    /** Like {@link #find}, and moves the hit to the front of the node's chain. */
    int findAndPromote(int nodeId, int slot, NodeStore nodes) {
        if (slot < 64 && (nodes.endpointBits[nodeId] & (1L << slot)) == 0) {
            return NIL;
        }
        int before = NIL;
        for (int a = nodes.attrHead[nodeId]; a != NIL; before = a, a = nextInNode[a]) {
            if ((slotAndCount[a] & SLOT_MASK) == slot) {
                if (before != NIL) {
                    nextInNode[before] = nextInNode[a];
                    nextInNode[a] = nodes.attrHead[nodeId];
                    nodes.attrHead[nodeId] = a;
                }
                return a;
            }
        }
        return NIL;
    }

    void attachToNode(int attribution, NodeStore nodes) {
        int nodeId = node[attribution];
        nextInNode[attribution] = nodes.attrHead[nodeId];
        nodes.attrHead[nodeId] = attribution;
        int slot = slot(attribution);
        if (slot < 64) {
            nodes.endpointBits[nodeId] |= 1L << slot;
        }
    }

    void detachFromNode(int attribution, NodeStore nodes) {
        int nodeId = node[attribution];
        int a = nodes.attrHead[nodeId];
        if (a == attribution) {
            nodes.attrHead[nodeId] = nextInNode[attribution];
        } else {
            while (nextInNode[a] != attribution) {
                a = nextInNode[a];
            }
            nextInNode[a] = nextInNode[attribution];
        }
        int slot = slot(attribution);
        if (slot < 64) {
            nodes.endpointBits[nodeId] &= ~(1L << slot);
        }
    }

    // ---- slot LRU lists ----

    /** Puts the attribution right after {@code anchor} in its slot's list, or at the head when anchor is NIL. */
    void linkAfter(int attribution, int anchor, SlotTable slots) {
        int slot = slot(attribution);
        int following = anchor == NIL ? slots.head[slot] : next[anchor];
        prev[attribution] = anchor;
        next[attribution] = following;
        if (anchor == NIL) {
            slots.head[slot] = attribution;
        } else {
            next[anchor] = attribution;
        }
        if (following == NIL) {
            slots.tail[slot] = attribution;
        } else {
            prev[following] = attribution;
        }
    }

    void unlink(int attribution, SlotTable slots) {
        int slot = slot(attribution);
        int p = prev[attribution];
        int n = next[attribution];
        if (p == NIL) {
            slots.head[slot] = n;
        } else {
            next[p] = n;
        }
        if (n == NIL) {
            slots.tail[slot] = p;
        } else {
            prev[n] = p;
        }
    }

    void moveAfter(int attribution, int anchor, SlotTable slots) {
        if (prev[attribution] == anchor && (anchor != NIL || slots.head[slot(attribution)] == attribution)) {
            return;
        }
        unlink(attribution, slots);
        linkAfter(attribution, anchor, slots);
    }

    long allocatedBytes() {
        return ArrayBytes.of(node) + ArrayBytes.of(slotAndCount) + ArrayBytes.of(prev) + ArrayBytes.of(next)
                + ArrayBytes.of(nextInNode);
    }
}
