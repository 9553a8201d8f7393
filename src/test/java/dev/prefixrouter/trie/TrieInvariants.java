package dev.prefixrouter.trie;

import java.util.Arrays;

/**
 * Checks every invariant of a {@link HashTrie} by a full scan of its arrays, under its lock. Slow (O(size)) and
 * for tests only. Throws {@link AssertionError} naming the first broken invariant.
 */
final class TrieInvariants {

    private static final int NIL = NodeStore.NIL;

    private final TrieState s;
    private final NodeStore nodes;
    private final AttributionStore attrs;
    private final SlotTable slots;

    private TrieInvariants(TrieState state) {
        this.s = state;
        this.nodes = state.nodes;
        this.attrs = state.attrs;
        this.slots = state.slots;
    }

    static void check(HashTrie trie) {
        trie.inspect(state -> {
            check(state);
            return null;
        });
    }

    static void check(TrieState state) {
        new TrieInvariants(state).run();
    }

    private void run() {
        int liveNodes = checkNodesAndIndex();
        checkGlobalLru(liveNodes);
        int liveAttrs = checkNodeChains();
        int[] slotPosition = checkSlotLists(liveAttrs);
        checkSlotSubsetsAndOrder(slotPosition);
        checkBudgetAndCapacities(liveNodes, liveAttrs);
    }

    /** Invariant 1: every node's parent exists; child counts and the index agree with the nodes. */
    private int checkNodesAndIndex() {
        int live = 0;
        int[] children = new int[nodes.highWater()];
        for (int n = 0; n < nodes.highWater(); n++) {
            if (!nodes.isLive(n)) {
                continue;
            }
            live++;
            int p = nodes.parent(n);
            require(p == NIL || nodes.isLive(p), "node %d has parent %d, which does not exist", n, p);
            if (p != NIL) {
                children[p]++;
            }
            require(s.index.find(nodes.hash(n), nodes) == n, "node %d is not found by its hash", n);
        }
        require(live == nodes.size(), "store says %d nodes, %d are live", nodes.size(), live);
        require(s.index.size() == live, "index holds %d entries for %d nodes", s.index.size(), live);
        for (int n = 0; n < nodes.highWater(); n++) {
            if (nodes.isLive(n)) {
                require(nodes.childCount(n) == children[n], "node %d counts %d children, has %d",
                        n, nodes.childCount(n), children[n]);
            }
        }
        return live;
    }

    /**
     * Invariant 2: the two LRU lists hold every node once (roots in one, the nodes below them in the other), no
     * parent below the root level is colder than its child, and the next eviction candidate is a leaf.
     */
    private void checkGlobalLru(int liveNodes) {
        int[] position = new int[nodes.highWater()];
        Arrays.fill(position, -1);
        int listed = walk(nodes.rootHead, nodes.rootTail, true, position, 0);
        require(listed == nodes.roots(), "root list holds %d nodes, counts %d", listed, nodes.roots());
        listed = walk(nodes.lruHead, nodes.lruTail, false, position, listed);
        require(listed == liveNodes, "LRU lists hold %d of %d nodes", listed, liveNodes);
        for (int n = 0; n < nodes.highWater(); n++) {
            int p = nodes.isLive(n) ? nodes.parent(n) : NIL;
            if (p != NIL && nodes.parent(p) != NIL) {
                require(position[p] < position[n], "parent %d is colder than its child %d", p, n);
            }
        }
        int candidate = nodes.evictionCandidate();
        require(candidate == NIL || nodes.isLeaf(candidate), "eviction candidate %d is not a leaf", candidate);
    }

    private int walk(int head, int tail, boolean roots, int[] position, int start) {
        int i = start;
        int previous = NIL;
        for (int n = head; n != NIL; previous = n, n = nodes.lruNext(n)) {
            require(nodes.isLive(n), "LRU list holds free node %d", n);
            require(position[n] == -1, "LRU lists hold node %d twice", n);
            require((nodes.parent(n) == NIL) == roots, "node %d is in the wrong LRU list", n);
            require(nodes.lruPrev(n) == previous, "LRU prev link of %d is broken", n);
            position[n] = i++;
        }
        require(previous == tail, "LRU tail is %d, list ends at %d", tail, previous);
        return i;
    }

    /** Chains hold each node's own attributions, one per slot, mirrored in the engine bits. */
    private int checkNodeChains() {
        int live = 0;
        for (int a = 0; a < attrs.highWater(); a++) {
            if (attrs.isLive(a)) {
                live++;
                require(nodes.isLive(attrs.node(a)), "attribution %d is on free node %d", a, attrs.node(a));
            }
        }
        require(live == attrs.size(), "store says %d attributions, %d are live", attrs.size(), live);
        int chained = 0;
        boolean[] seen = new boolean[Math.max(1, slots.highWater())];
        for (int n = 0; n < nodes.highWater(); n++) {
            if (!nodes.isLive(n)) {
                continue;
            }
            Arrays.fill(seen, false);
            long bits = 0;
            for (int a = nodes.attrHead(n); a != NIL; a = attrs.nextInNode(a)) {
                chained++;
                require(attrs.isLive(a) && attrs.node(a) == n, "chain of node %d holds attribution %d", n, a);
                int slot = attrs.slot(a);
                require(slot < slots.highWater() && !seen[slot], "node %d holds slot %d twice or unknown", n, slot);
                require(slots.isActive(slot) || slots.isRetired(slot), "node %d holds free slot %d", n, slot);
                seen[slot] = true;
                bits |= slot < 64 ? 1L << slot : 0;
            }
            require(bits == nodes.slotBits(n), "node %d bits %x, chain says %x", n, nodes.slotBits(n), bits);
            require(nodes.attrHead(n) != NIL || !nodes.isLeaf(n), "leaf %d has no engine left", n);
        }
        require(chained == live, "chains hold %d of %d attributions", chained, live);
        return live;
    }

    /** Each slot's LRU list holds exactly its attributions, counted right. */
    private int[] checkSlotLists(int liveAttrs) {
        int[] position = new int[attrs.highWater()];
        Arrays.fill(position, -1);
        int total = 0;
        for (int slot = 0; slot < slots.highWater(); slot++) {
            int i = 0;
            int previous = NIL;
            for (int a = slots.head[slot]; a != NIL; previous = a, a = attrs.next(a)) {
                require(attrs.isLive(a) && attrs.slot(a) == slot, "slot %d list holds attribution %d", slot, a);
                require(position[a] == -1, "attribution %d is listed twice", a);
                require(attrs.prev(a) == previous, "slot %d prev link of %d is broken", slot, a);
                position[a] = i++;
            }
            require(previous == slots.tail[slot], "slot %d tail is %d, list ends at %d", slot, slots.tail[slot],
                    previous);
            require(i == slots.attributions[slot], "slot %d counts %d attributions, lists %d", slot,
                    slots.attributions[slot], i);
            total += i;
        }
        require(total == liveAttrs, "slot lists hold %d of %d attributions", total, liveAttrs);
        return position;
    }

    /** Invariant 3: a slot on a child is on its parent, warmer in the slot's list; child counts are right. */
    private void checkSlotSubsetsAndOrder(int[] slotPosition) {
        int[] expectedChildren = new int[attrs.highWater()];
        for (int a = 0; a < attrs.highWater(); a++) {
            if (!attrs.isLive(a)) {
                continue;
            }
            int p = nodes.parent(attrs.node(a));
            if (p == NIL) {
                continue;
            }
            int onParent = attrs.find(p, attrs.slot(a), nodes);
            require(onParent != NIL, "slot %d is on node %d but not on its parent %d", attrs.slot(a),
                    attrs.node(a), p);
            require(slotPosition[onParent] < slotPosition[a], "slot %d: parent %d is colder than child %d",
                    attrs.slot(a), p, attrs.node(a));
            expectedChildren[onParent]++;
        }
        for (int a = 0; a < attrs.highWater(); a++) {
            if (attrs.isLive(a) && !attrs.isSaturated(a)) {
                require(attrs.childAttributions(a) == expectedChildren[a], "attribution %d counts %d children, has %d",
                        a, attrs.childAttributions(a), expectedChildren[a]);
            }
        }
    }

    /** Invariants 4, 5, 6: exact accounting, the hard cap, per-slot capacity. */
    private void checkBudgetAndCapacities(int liveNodes, int liveAttrs) {
        long expected = (long) liveNodes * HashTrie.NODE_BYTES + (long) liveAttrs * HashTrie.ATTRIBUTION_BYTES;
        require(s.accountedBytes() == expected, "accounted %d bytes, items cost %d", s.accountedBytes(), expected);
        require(expected <= s.maxBytes, "accounted %d bytes over the %d budget", expected, s.maxBytes);
        require(s.storeElementBytes() <= s.maxBytes, "arrays hold %d element bytes over the %d budget",
                s.storeElementBytes(), s.maxBytes);
        for (int slot = 0; slot < slots.highWater(); slot++) {
            if (slots.isActive(slot)) {
                long chars = (long) slots.attributions[slot] * s.chunkSize;
                require(chars <= slots.capacityChars(slot), "slot %d holds %d chars over its capacity %d", slot,
                        chars, slots.capacityChars(slot));
            }
        }
    }

    private static void require(boolean condition, String message, Object... args) {
        if (!condition) {
            throw new AssertionError(String.format(message, args));
        }
    }
}
