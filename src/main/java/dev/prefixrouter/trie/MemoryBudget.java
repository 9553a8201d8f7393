package dev.prefixrouter.trie;

/**
 * Keeps the trie inside {@code maxBytes} twice over: accounted bytes (live items times their cost) may not exceed
 * it, and neither may the arrays' element bytes, which grow by doubling only as far as the budget allows. When an
 * insert needs room that neither free ids nor growth can give, the least recently used leaves are evicted — never
 * the path being inserted: the global tail is always a leaf, and the only leaf on that path is its deepest node,
 * which the caller names.
 * Not thread-safe.
 */
final class MemoryBudget {

    /** Arrays start this small and double on demand. */
    static final int INITIAL_CAPACITY = 1024;
    /** Keeps every store's int array within Java's array limit: about 238M nodes, 429M attributions. */
    private static final int MAX_NODE_CAPACITY = NodeStore.MAX_CAPACITY;
    private static final int MAX_ATTRIBUTION_CAPACITY = AttributionStore.MAX_CAPACITY;

    private final TrieState state;
    private final Pruner pruner;

    MemoryBudget(TrieState state, Pruner pruner) {
        this.state = state;
        this.pruner = pruner;
    }

    static int initialCapacity(long maxBytes) {
        long fits = maxBytes / (HashTrie.NODE_BYTES + HashTrie.ATTRIBUTION_BYTES);
        return (int) Math.max(1, Math.min(INITIAL_CAPACITY, fits));
    }

    /**
     * Makes room for one attribution (and a node, if {@code withNode}) by using free ids, growing, or evicting;
     * returns false when nothing but {@code protectedLeaf} is left to evict.
     */
    boolean makeRoom(boolean withNode, int protectedLeaf) {
        long cost = HashTrie.ATTRIBUTION_BYTES + (withNode ? HashTrie.NODE_BYTES : 0);
        while (true) {
            if (state.accountedBytes() + cost <= state.maxBytes
                    && (!withNode || !state.nodes.isFull() || growNodes())
                    && (!state.attrs.isFull() || growAttributions())) {
                return true;
            }
            int victim = state.nodes.evictionCandidateSparing(protectedLeaf);
            if (victim == NodeStore.NIL) {
                return false;
            }
            pruner.evict(victim);
        }
    }

    private boolean growNodes() {
        int current = state.nodes.capacity();
        long hardLimit = (state.maxBytes - (long) state.attrs.capacity() * HashTrie.ATTRIBUTION_BYTES)
                / HashTrie.NODE_BYTES;
        long target = Math.min(Math.min(2L * current, Math.min(affordableNodes(), hardLimit)), MAX_NODE_CAPACITY);
        if (target <= current) {
            return false;
        }
        state.nodes.grow((int) target);
        state.index.rebuild((int) target, state.nodes);
        return true;
    }

    private boolean growAttributions() {
        int current = state.attrs.capacity();
        long hardLimit = (state.maxBytes - (long) state.nodes.capacity() * HashTrie.NODE_BYTES)
                / HashTrie.ATTRIBUTION_BYTES;
        long target = Math.min(Math.min(2L * current, Math.min(affordableAttributions(), hardLimit)),
                MAX_ATTRIBUTION_CAPACITY);
        if (target <= current) {
            return false;
        }
        state.attrs.grow((int) target);
        return true;
    }

    /**
     * The most nodes the budget can hold while the attribution store keeps its capacity or, if more is needed at
     * today's attributions per node, grows alongside. Without this, the last doubling of one store would take the
     * room the other needs to fill it, and part of the budget would sit in arrays that can never fill.
     */
    private long affordableNodes() {
        double perNode = attributionsPerNode();
        long keepingAttributions = (state.maxBytes - (long) state.attrs.capacity() * HashTrie.ATTRIBUTION_BYTES)
                / HashTrie.NODE_BYTES;
        if (keepingAttributions * perNode <= state.attrs.capacity()) {
            return keepingAttributions;
        }
        return (long) (state.maxBytes / (HashTrie.NODE_BYTES + HashTrie.ATTRIBUTION_BYTES * perNode));
    }

    /** The attribution-side counterpart of {@link #affordableNodes()}. */
    private long affordableAttributions() {
        double perNode = attributionsPerNode();
        long keepingNodes = (state.maxBytes - (long) state.nodes.capacity() * HashTrie.NODE_BYTES)
                / HashTrie.ATTRIBUTION_BYTES;
        if (keepingNodes / perNode <= state.nodes.capacity()) {
            return keepingNodes;
        }
        return (long) (state.maxBytes * perNode / (HashTrie.NODE_BYTES + HashTrie.ATTRIBUTION_BYTES * perNode));
    }

    /** Live attributions per live node; every live node has at least one. */
    private double attributionsPerNode() {
        return state.nodes.size() == 0 ? 1 : Math.max(1, (double) state.attrs.size() / state.nodes.size());
    }
}
