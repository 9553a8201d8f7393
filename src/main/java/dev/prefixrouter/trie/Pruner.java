package dev.prefixrouter.trie;

/**
 * Every way something leaves the trie: a memory eviction of the least recently used leaf, an attribution dropped
 * because its engine is over capacity, swept because its engine retired, or undone. Removal only ever takes
 * a slot's coldest attribution or a childless node, so no node outlives its parent and no engine stays on a
 * child after leaving its parent. A node left without attributions is removed at once if it is a leaf, and so on
 * upwards. Not thread-safe.
 */
final class Pruner {

    private static final int NIL = NodeStore.NIL;

    private final TrieState state;
    private final NodeStore nodes;
    private final AttributionStore attrs;
    private final SlotTable slots;

    Pruner(TrieState state) {
        this.state = state;
        this.nodes = state.nodes;
        this.attrs = state.attrs;
        this.slots = state.slots;
    }

    /**
     * Evicts the least recently used leaf below the root level, or the least recently used root when only roots are
     * left ({@link NodeStore#evictionCandidate()}); returns false when the trie is empty.
     */
    boolean evictLeastRecent() {
        int victim = nodes.evictionCandidate();
        if (victim == NIL) {
            return false;
        }
        evict(victim);
        return true;
    }

    /** Evicts one leaf and then any ancestors that leaves engine-less leaves. */
    void evict(int victim) {
        assert nodes.isLeaf(victim) : "eviction victim " + victim + " has children";
        int parent = nodes.parent(victim);
        state.evictedBytes += HashTrie.NODE_BYTES + (long) chainLength(victim) * HashTrie.ATTRIBUTION_BYTES;
        state.evictedNodes++;
        if (!state.forgotten) {
            state.forgotten = true;
        }
        removeNode(victim);
        removeEmptyLeaves(parent);
    }

    /** Drops the slot's coldest attributions while it is over capacity, at most {@code maxDrops}; returns drops. */
    int trimToCapacity(int slot, int maxDrops) {
        long capacityChunks = slots.capacityChars(slot) / state.chunkSize;
        int drops = 0;
        while (slots.attributions[slot] > capacityChunks && drops < maxDrops) {
            removeAttribution(slots.tail[slot]);
            drops++;
        }
        state.capacityDropped += drops;
        return drops;
    }

    boolean isOverCapacity(int slot) {
        return slots.attributions[slot] > slots.capacityChars(slot) / state.chunkSize;
    }

    /** Removes retired slots' attributions, coldest first, at most {@code maxWork}; frees slots swept empty. */
    int sweepRetired(int maxWork) {
        int work = 0;
        for (int slot = 0; slot < slots.highWater() && slots.retiredCount() > 0 && work < maxWork; slot++) {
            if (!slots.isRetired(slot)) {
                continue;
            }
            while (slots.tail[slot] != NIL && work < maxWork) {
                removeAttribution(slots.tail[slot]);
                work++;
            }
            if (slots.tail[slot] == NIL) {
                slots.freeSwept(slot);
            }
        }
        return work;
    }

    /** Removes one attribution, then its node too if that leaves the node an engine-less leaf. */
    void removeAttribution(int attribution) {
        int node = attrs.node(attribution);
        attrs.detachFromNode(attribution, nodes);
        release(attribution);
        removeEmptyLeaves(node);
    }

    private void removeEmptyLeaves(int node) {
        while (node != NIL && nodes.attrHead(node) == NIL && nodes.isLeaf(node)) {
            int parent = nodes.parent(node);
            removeNode(node);
            node = parent;
        }
    }

    private void removeNode(int node) {
        for (int a = nodes.attrHead(node); a != NIL; ) {
            int following = attrs.nextInNode(a);
            release(a);
            a = following;
        }
        state.index.remove(nodes.hash(node), nodes);
        nodes.unlink(node);
        nodes.free(node);
    }

    /** Takes an attribution off its slot's list and its parent's child count, and frees it (not its chain). */
    private void release(int attribution) {
        int slot = attrs.slot(attribution);
        attrs.unlink(attribution, slots);
        slots.attributions[slot]--;
        int parent = nodes.parent(attrs.node(attribution));
        if (parent != NIL) {
            int parentAttribution = attrs.find(parent, slot, nodes);
            assert parentAttribution != NIL : "slot " + slot + " on a child but not on its parent " + parent;
            if (parentAttribution != NIL) {
                attrs.removeChild(parentAttribution);
            }
        }
        attrs.free(attribution);
    }

    private int chainLength(int node) {
        int length = 0;
        for (int a = nodes.attrHead(node); a != NIL; a = attrs.nextInNode(a)) {
            length++;
        }
        return length;
    }
}
