package dev.prefixrouter.trie;

/**
 * Records that a prompt's prefix was sent to an engine, and undoes that.
 *
 * <p>{@code record} works top-down so that both orders hold at every step: the path's nodes are moved to the head
 * of the global LRU list in root-to-leaf order, each right after its parent (so a parent is never colder than its
 * children), then the slot's attributions on them likewise in the slot's own list, then missing nodes are added
 * below, each right after its parent. As every step keeps the invariants, a record may stop and resume between any
 * two depths, and it does: it works on a window of {@code chunksPerHold} depths per lock hold and carries its place
 * in a {@link Cursor}, re-checked when it resumes. Within a window, all lookups run first in a tight loop, so that
 * the CPU overlaps their cache misses. Eviction to make room never takes the path: the global tail is always a
 * leaf, and the only leaf on the path is its current deepest node, which is protected by name.
 * Not thread-safe: the caller holds the trie's lock for each {@link #advance}.
 */
final class PathRecorder {

    private static final int NIL = NodeStore.NIL;
    /** Beyond the attributions one hold adds, it trims at most this many left over by a capacity cut. */
    static final int TRIM_BATCH = 1024;

    private final TrieState state;
    private final MemoryBudget budget;
    private final Pruner pruner;
    /** The current window's existing nodes, top-down: one hold's worth, whatever the prompt's length. */
    private final int[] window;

    PathRecorder(TrieState state, MemoryBudget budget, Pruner pruner, int chunksPerHold) {
        this.state = state;
        this.budget = budget;
        this.pruner = pruner;
        this.window = new int[chunksPerHold];
    }

    /** Where one {@code record} call stands between two lock holds. */
    static final class Cursor {
        final PromptKey key;
        final int slot;
        int limit = -1;
        int depth;
        int parentNode = NIL;
        int parentAttribution = NIL;
        int firstNew = NIL;
        /** The slot is not on the node at {@code depth} (true once it was missing above: a child's are a subset). */
        boolean slotAbsent;

        Cursor(PromptKey key, int slot) {
            this.key = key;
            this.slot = slot;
        }

        /** The depth from which the call newly attributed its slot, or {@code key.chunks()} if nowhere. */
        int result() {
            return firstNew == NIL ? key.chunks() : firstNew;
        }
    }

    /** Records up to {@code chunksPerHold} more depths; returns true when the record is complete. */
    boolean advance(Cursor cursor) {
        long[] hashes = cursor.key.hashes();
        if (cursor.limit < 0) {
            long capacityChunks = state.slots.capacityChars(cursor.slot) / state.chunkSize;
            cursor.limit = (int) Math.min(hashes.length, capacityChunks);
        } else if (!resumable(cursor, hashes)) {
            return true;
        }
        int end = Math.min(cursor.limit, cursor.depth + window.length);
        int attributionsBefore = state.slots.attributions[cursor.slot];
        int found = findWindow(cursor, hashes, end);
        boolean collided = found >= 0 && cursor.depth + found < end
                && state.index.find(hashes[cursor.depth + found], state.nodes) != NIL;
        touchWindow(cursor, found);
        boolean stopped = !attributeWindow(cursor, found)
                || collided
                || (cursor.depth < end && !insertNew(cursor, hashes, end));
        state.maxRecordedDepth = Math.max(state.maxRecordedDepth, cursor.depth);
        int added = state.slots.attributions[cursor.slot] - attributionsBefore;
        if (added > 0) {
            pruner.trimToCapacity(cursor.slot, added + TRIM_BATCH);
        }
        return stopped || cursor.depth == cursor.limit;
    }

    /** Looks up the window's existing nodes into {@code window}; returns how many exist in a row below the cursor. */
    private int findWindow(Cursor cursor, long[] hashes, int end) {
        NodeStore nodes = state.nodes;
        int parent = cursor.parentNode;
        for (int i = 0, depth = cursor.depth; depth < end; i++, depth++) {
            int node = state.index.find(hashes[depth], nodes);
            if (node == NIL || nodes.parent(node) != parent) {
                return i; // absent, or a 64-bit collision with a node elsewhere (advance tells them apart)
            }
            window[i] = node;
            parent = node;
        }
        return end - cursor.depth;
    }

    private void touchWindow(Cursor cursor, int found) {
        int anchor = cursor.parentNode;
        for (int i = 0; i < found; i++) {
            state.nodes.moveAfter(window[i], anchor);
            anchor = window[i];
        }
    }

    /** Touches or adds the slot's attributions on the window's existing nodes; false if the budget ran out. */
    private boolean attributeWindow(Cursor cursor, int found) {
        int deepest = found == 0 ? NIL : window[found - 1];
        for (int i = 0; i < found; i++) {
            int node = window[i];
            int attribution = cursor.slotAbsent ? NIL : findAttribution(node, cursor.slot, cursor.parentAttribution);
            if (attribution != NIL) {
                state.attrs.moveAfter(attribution, cursor.parentAttribution, state.slots);
            } else {
                if (!budget.makeRoom(false, deepest)) {
                    return false;
                }
                attribution = attachNew(cursor, node);
            }
            cursor.parentNode = node;
            cursor.parentAttribution = attribution;
            cursor.depth++;
        }
        return true;
    }

    /** Adds the window's missing nodes below the cursor, each right after its parent; false to stop here. */
    private boolean insertNew(Cursor cursor, long[] hashes, int end) {
        NodeStore nodes = state.nodes;
        for (; cursor.depth < end; cursor.depth++) {
            if (!budget.makeRoom(true, cursor.parentNode)) {
                return false;
            }
            long chainedHash = hashes[cursor.depth];
            int node = nodes.allocate(chainedHash, cursor.parentNode);
            if (!state.index.insertIfAbsent(chainedHash, node, nodes)) {
                nodes.free(node); // a 64-bit collision with a node elsewhere in the trie: stop short
                return false;
            }
            nodes.linkAfter(node, cursor.parentNode);
            cursor.parentAttribution = attachNew(cursor, node);
            cursor.parentNode = node;
        }
        return true;
    }

    private int attachNew(Cursor cursor, int node) {
        cursor.slotAbsent = true;
        cursor.firstNew = cursor.firstNew == NIL ? cursor.depth : cursor.firstNew;
        return attach(node, cursor.slot, cursor.parentAttribution);
    }

    /** Whether the path the cursor stands on survived the time the lock was free; stop short if not. */
    private boolean resumable(Cursor cursor, long[] hashes) {
        cursor.slotAbsent = false; // another record may have added the slot below meanwhile: look again
        if (cursor.depth == 0) {
            return true;
        }
        int node = cursor.parentNode;
        int attribution = cursor.parentAttribution;
        return state.nodes.isLive(node) && state.nodes.hash(node) == hashes[cursor.depth - 1]
                && state.attrs.isLive(attribution) && state.attrs.node(attribution) == node
                && state.attrs.slot(attribution) == cursor.slot;
    }

    /** Removes {@code slot}'s attributions at depths {@code >= fromDepth} on the key's path, deepest first. */
    void undo(PromptKey key, int slot, int fromDepth) {
        long[] hashes = key.hashes();
        int depth = deepestExisting(hashes) - 1;
        int node = depth < 0 ? NIL : state.index.find(hashes[depth], state.nodes);
        for (; depth >= fromDepth && node != NIL && state.nodes.hash(node) == hashes[depth]; depth--) {
            int parent = state.nodes.parent(node);
            int attribution = state.attrs.find(node, slot, state.nodes);
            if (attribution != NIL) {
                if (state.attrs.childAttributions(attribution) > 0) {
                    return; // a later record put the slot on a child: it did receive this prefix, keep it
                }
                pruner.removeAttribution(attribution);
            }
            node = parent;
        }
    }

    /** How many of the key's nodes exist, by binary search: a node exists only if its parent does. */
    private int deepestExisting(long[] hashes) {
        int low = 0;
        int high = hashes.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (state.index.find(hashes[mid], state.nodes) != NIL) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /**
     * The node's attribution to {@code slot}, trying the cheap places first. The head of the node's chain: chains
     * are move-to-front, so it is usually the engine this prefix goes to, and it needs only the node's record,
     * already loaded, so consecutive depths do not wait on each other. Then the slot's own list: a path the slot
     * recorded before lies there in root-to-leaf order, so the child's attribution usually follows the parent's
     * (this catches engines taking turns on a hot prefix). Only then a walk of the chain.
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
}
