package dev.prefixrouter.trie;

import java.util.Arrays;

/**
 * Records that a prompt's prefix was sent to an endpoint, and undoes that. {@code record} works top-down so that
 * both orders hold at every step: the path is moved to the head of the global LRU list in root-to-leaf order
 * (each node placed right after its parent, so a parent is never colder than its children), then the slot's
 * attributions on it likewise in the slot's own list, then missing nodes are added below. Because the path sits
 * at the head, evicting from the tail to make room can never take a node of the path. Not thread-safe.
 */
final class PathRecorder {

    private static final int NIL = NodeStore.NIL;
    /** Beyond the attributions one record adds, it trims at most this many left over by a capacity cut. */
    static final int TRIM_BATCH = 1024;

    private final TrieState state;
    private final MemoryBudget budget;
    private final Pruner pruner;
    private int[] path = new int[64];
    /** Per-call scratch of {@link #record}: the shallowest new attribution's depth, the last one touched. */
    private int firstNew;
    private int previous;

    PathRecorder(TrieState state, MemoryBudget budget, Pruner pruner) {
        this.state = state;
        this.budget = budget;
        this.pruner = pruner;
    }

    /** Returns the depth from which {@code slot} was newly attributed, or {@code key.chunks()} if nowhere. */
    int record(PromptKey key, int slot) {
        long[] hashes = key.hashes();
        int limit = (int) Math.min(hashes.length, state.slots.capacityChars(slot) / state.chunkSize);
        int existing = findPath(hashes, limit);
        touchNodes(existing);
        firstNew = NIL;
        previous = NIL;
        int depth = attributeExisting(existing, slot);
        if (depth == existing) {
            depth = insertNew(hashes, existing, limit, slot);
        }
        state.maxRecordedDepth = Math.max(state.maxRecordedDepth, depth);
        if (firstNew == NIL) {
            return hashes.length;
        }
        pruner.trimToCapacity(slot, depth - firstNew + TRIM_BATCH);
        return firstNew;
    }

    /**
     * Puts the slot's attributions on the existing path in root-to-leaf order at the head of its list, creating
     * the missing ones (always a suffix of the path); returns how deep it got before the budget ran out.
     */
    private int attributeExisting(int existing, int slot) {
        for (int depth = 0; depth < existing; depth++) {
            int attribution = firstNew == NIL ? findAttribution(path[depth], slot, previous) : NIL;
            if (attribution == NIL) {
                if (!budget.makeRoom(false, existing)) {
                    return depth;
                }
                attribution = attach(path[depth], slot, previous);
                firstNew = firstNew == NIL ? depth : firstNew;
            } else {
                state.attrs.moveAfter(attribution, previous, state.slots);
            }
            previous = attribution;
        }
        return existing;
    }

    /** Adds the path's missing nodes below the existing ones, each right after its parent; returns the depth. */
    private int insertNew(long[] hashes, int existing, int limit, int slot) {
        int depth = existing;
        for (; depth < limit; depth++) {
            if (!budget.makeRoom(true, depth)) {
                break;
            }
            int parent = depth == 0 ? NIL : path[depth - 1];
            int node = state.nodes.allocate(hashes[depth], parent);
            if (!state.index.insertIfAbsent(hashes[depth], node, state.nodes)) {
                // A 64-bit collision with a node elsewhere in the trie (findPath stopped on it): stop short.
                state.nodes.free(node);
                break;
            }
            state.nodes.linkAfter(node, parent);
            path[depth] = node;
            previous = attach(node, slot, previous);
            firstNew = firstNew == NIL ? depth : firstNew;
        }
        return depth;
    }

    /** Removes {@code slot}'s attributions at depths {@code >= fromDepth} on the key's path, deepest first. */
    void undo(PromptKey key, int slot, int fromDepth) {
        int existing = findPath(key.hashes(), key.chunks());
        for (int depth = existing - 1; depth >= fromDepth; depth--) {
            int attribution = state.attrs.find(path[depth], slot, state.nodes);
            if (attribution == NIL) {
                continue;
            }
            if (state.attrs.childAttributions(attribution) > 0) {
                break; // a later record put the slot on a child: it did receive this prefix, keep it
            }
            pruner.removeAttribution(attribution);
        }
    }

    /**
     * The node's attribution to {@code slot}, trying the cheap places first. The head of the node's chain: chains
     * are move-to-front, so it is usually the endpoint this prefix goes to, and it needs only the node's record,
     * already loaded, so consecutive depths do not wait on each other. Then the slot's own list: a path the slot
     * recorded before lies there in root-to-leaf order, so the child's attribution usually follows the parent's
     * (this catches endpoints taking turns on a hot prefix). Only then a walk of the chain.
     */
    private int findAttribution(int node, int slot, int parentAttribution) {
        AttributionStore attrs = state.attrs;
        int head = state.nodes.attrHead(node);
        if (head != NIL && attrs.slot(head) == slot) {
            return head;
        }
        int guess = parentAttribution == NIL ? state.slots.head[slot] : attrs.next(parentAttribution);
        if (guess != NIL && attrs.node(guess) == node) {
            return guess;
        }
        return attrs.findAndPromote(node, slot, state.nodes);
    }

    /** Fills {@code path[0..n)} with the key's nodes that exist, stopping at a gap or a hash collision. */
    private int findPath(long[] hashes, int limit) {
        ensurePathCapacity(limit);
        NodeStore nodes = state.nodes;
        int parent = NIL;
        for (int depth = 0; depth < limit; depth++) {
            int node = state.index.find(hashes[depth], nodes);
            if (node == NIL || nodes.parent(node) != parent) {
                return depth;
            }
            path[depth] = node;
            parent = node;
        }
        return limit;
    }

    private void touchNodes(int count) {
        int anchor = NIL;
        for (int depth = 0; depth < count; depth++) {
            state.nodes.moveAfter(path[depth], anchor);
            anchor = path[depth];
        }
    }

    /** A new attribution of {@code node} to {@code slot}, placed right after its parent's in the slot's list. */
    private int attach(int node, int slot, int parentAttribution) {
        AttributionStore attrs = state.attrs;
        int attribution = attrs.allocate(node, slot);
        attrs.attachToNode(attribution, state.nodes);
        attrs.linkAfter(attribution, parentAttribution, state.slots);
        state.slots.attributions[slot]++;
        if (parentAttribution != NIL) {
            attrs.addChild(parentAttribution);
        }
        return attribution;
    }

    private void ensurePathCapacity(int depth) {
        if (path.length < depth) {
            path = Arrays.copyOf(path, Math.max(depth, 2 * path.length));
        }
    }

    long allocatedBytes() {
        return ArrayBytes.of(path);
    }
}
