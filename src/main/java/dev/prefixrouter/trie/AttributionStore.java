package dev.prefixrouter.trie;

import java.util.Arrays;

/**
 * (node, engine) attributions, each an interleaved record of {@link #INTS_PER_ATTRIBUTION} ints in one
 * {@code int[]} (for the same cache-line reason as {@link NodeStore}). Each attribution sits on two lists: its
 * slot's LRU list ({@code prev}/{@code next}, most recent at {@link SlotTable#head}) and its node's singly linked
 * chain ({@code nextInNode}, starting at {@link NodeStore#attrHead}). Slots 0..63 are mirrored in the node's
 * engine bits, so a miss for them costs no chain walk.
 *
 * <p>The slot shares an int with a 16-bit count of the node's children that carry the same slot; {@code undo} reads
 * it to leave an attribution alone while a child still depends on it. The count saturates and then stays put, which
 * only makes {@code undo} keep an attribution it could have removed. Node chains are move-to-front on
 * {@link #findAndPromote}, so the engine a prefix is usually sent to is found first. Not thread-safe.
 */
final class AttributionStore {

    static final int NIL = NodeStore.NIL;
    static final int INTS_PER_ATTRIBUTION = 5;
    /** Five int fields: node, slot with child count, slot-LRU prev and next, next in node chain. */
    static final int BYTES_PER_ATTRIBUTION = 4 * INTS_PER_ATTRIBUTION;
    static final int MAX_CAPACITY = (Integer.MAX_VALUE - 8) / INTS_PER_ATTRIBUTION;
    private static final int SLOT_MASK = 0xFFFF;
    private static final int COUNT_UNIT = 1 << 16;
    private static final int COUNT_SATURATED = 0xFFFF;
    private static final int FREE = -2;

    private static final int NODE = 0;
    private static final int SLOT_AND_COUNT = 1;
    private static final int PREV = 2;
    private static final int NEXT = 3;
    private static final int NEXT_IN_NODE = 4;

    private int[] data;
    private int size;
    private int highWater;
    private int freeHead = NIL;

    AttributionStore(int capacity) {
        reset(capacity);
    }

    void reset(int capacity) {
        data = new int[capacity * INTS_PER_ATTRIBUTION];
        size = highWater = 0;
        freeHead = NIL;
    }

    int size() {
        return size;
    }

    int capacity() {
        return data.length / INTS_PER_ATTRIBUTION;
    }

    boolean isFull() {
        return size == capacity();
    }

    int highWater() {
        return highWater;
    }

    boolean isLive(int attribution) {
        return attribution >= 0 && attribution < highWater && node(attribution) != FREE;
    }

    int node(int attribution) {
        return data[attribution * INTS_PER_ATTRIBUTION + NODE];
    }

    int slot(int attribution) {
        return data[attribution * INTS_PER_ATTRIBUTION + SLOT_AND_COUNT] & SLOT_MASK;
    }

    int prev(int attribution) {
        return data[attribution * INTS_PER_ATTRIBUTION + PREV];
    }

    int next(int attribution) {
        return data[attribution * INTS_PER_ATTRIBUTION + NEXT];
    }

    int nextInNode(int attribution) {
        return data[attribution * INTS_PER_ATTRIBUTION + NEXT_IN_NODE];
    }

    int childAttributions(int attribution) {
        return data[attribution * INTS_PER_ATTRIBUTION + SLOT_AND_COUNT] >>> 16;
    }

    boolean isSaturated(int attribution) {
        return childAttributions(attribution) == COUNT_SATURATED;
    }

    void addChild(int attribution) {
        if (childAttributions(attribution) != COUNT_SATURATED) {
            data[attribution * INTS_PER_ATTRIBUTION + SLOT_AND_COUNT] += COUNT_UNIT;
        }
    }

    void removeChild(int attribution) {
        int count = childAttributions(attribution);
        assert count > 0 : "child count underflow on attribution " + attribution;
        if (count != COUNT_SATURATED && count > 0) {
            data[attribution * INTS_PER_ATTRIBUTION + SLOT_AND_COUNT] -= COUNT_UNIT;
        }
    }

    /** A new attribution of {@code nodeId} to {@code slot}, not yet on any list; the caller made room. */
    int allocate(int nodeId, int slot) {
        int a;
        if (freeHead != NIL) {
            a = freeHead;
            freeHead = next(a);
        } else {
            a = highWater++;
        }
        int base = a * INTS_PER_ATTRIBUTION;
        data[base + NODE] = nodeId;
        data[base + SLOT_AND_COUNT] = slot;
        data[base + PREV] = data[base + NEXT] = data[base + NEXT_IN_NODE] = NIL;
        size++;
        return a;
    }

    void free(int attribution) {
        data[attribution * INTS_PER_ATTRIBUTION + NODE] = FREE;
        data[attribution * INTS_PER_ATTRIBUTION + NEXT] = freeHead;
        freeHead = attribution;
        size--;
    }

    void grow(int newCapacity) {
        data = Arrays.copyOf(data, newCapacity * INTS_PER_ATTRIBUTION);
    }

    // ---- node chains ----

    /** The node's attribution to {@code slot}, or {@link #NIL}. */
    int find(int nodeId, int slot, NodeStore nodes) {
        if (slot < 64 && !nodes.hasBit(nodeId, slot)) {
            return NIL;
        }
        for (int a = nodes.attrHead(nodeId); a != NIL; a = nextInNode(a)) {
            if (slot(a) == slot) {
                return a;
            }
        }
        return NIL;
    }

    /** Like {@link #find}, and moves the hit to the front of the node's chain. */
    int findAndPromote(int nodeId, int slot, NodeStore nodes) {
        if (slot < 64 && !nodes.hasBit(nodeId, slot)) {
            return NIL;
        }
        int before = NIL;
        for (int a = nodes.attrHead(nodeId); a != NIL; before = a, a = nextInNode(a)) {
            if (slot(a) == slot) {
                if (before != NIL) {
                    setNextInNode(before, nextInNode(a));
                    setNextInNode(a, nodes.attrHead(nodeId));
                    nodes.setAttrHead(nodeId, a);
                }
                return a;
            }
        }
        return NIL;
    }

    void attachToNode(int attribution, NodeStore nodes) {
        int nodeId = node(attribution);
        setNextInNode(attribution, nodes.attrHead(nodeId));
        nodes.setAttrHead(nodeId, attribution);
        int slot = slot(attribution);
        if (slot < 64) {
            nodes.setBit(nodeId, slot);
        }
    }

    void detachFromNode(int attribution, NodeStore nodes) {
        int nodeId = node(attribution);
        int a = nodes.attrHead(nodeId);
        if (a == attribution) {
            nodes.setAttrHead(nodeId, nextInNode(attribution));
        } else {
            while (nextInNode(a) != attribution) {
                a = nextInNode(a);
            }
            setNextInNode(a, nextInNode(attribution));
        }
        int slot = slot(attribution);
        if (slot < 64) {
            nodes.clearBit(nodeId, slot);
        }
    }

    private void setNextInNode(int attribution, int next) {
        data[attribution * INTS_PER_ATTRIBUTION + NEXT_IN_NODE] = next;
    }

    // ---- slot LRU lists ----

    /** Puts the attribution right after {@code anchor} in its slot's list, or at the head when anchor is NIL. */
    void linkAfter(int attribution, int anchor, SlotTable slots) {
        int slot = slot(attribution);
        int following = anchor == NIL ? slots.head[slot] : next(anchor);
        data[attribution * INTS_PER_ATTRIBUTION + PREV] = anchor;
        data[attribution * INTS_PER_ATTRIBUTION + NEXT] = following;
        if (anchor == NIL) {
            slots.head[slot] = attribution;
        } else {
            data[anchor * INTS_PER_ATTRIBUTION + NEXT] = attribution;
        }
        if (following == NIL) {
            slots.tail[slot] = attribution;
        } else {
            data[following * INTS_PER_ATTRIBUTION + PREV] = attribution;
        }
    }

    void unlink(int attribution, SlotTable slots) {
        int slot = slot(attribution);
        int p = prev(attribution);
        int n = next(attribution);
        if (p == NIL) {
            slots.head[slot] = n;
        } else {
            data[p * INTS_PER_ATTRIBUTION + NEXT] = n;
        }
        if (n == NIL) {
            slots.tail[slot] = p;
        } else {
            data[n * INTS_PER_ATTRIBUTION + PREV] = p;
        }
    }

    void moveAfter(int attribution, int anchor, SlotTable slots) {
        if (prev(attribution) == anchor && (anchor != NIL || slots.head[slot(attribution)] == attribution)) {
            return;
        }
        unlink(attribution, slots);
        linkAfter(attribution, anchor, slots);
    }

    long allocatedBytes() {
        return ArrayBytes.of(data);
    }
}
