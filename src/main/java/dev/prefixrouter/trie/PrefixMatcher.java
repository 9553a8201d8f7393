package dev.prefixrouter.trie;

import java.util.Arrays;

/**
 * Longest-prefix match for a set of candidate engines by binary search over the key's depths. Along one key,
 * "the node at depth d exists and carries engine E" is monotone in d: a node exists only if its parent does (its
 * key chains its parent's), and a child's engines are a subset of its parent's. So each candidate's match length
 * is a threshold, and one probe at the middle of an interval splits the candidates into those present (their
 * threshold lies above) and those absent (below). A 2048-chunk prompt needs about 11 index lookups per distinct
 * match length among the candidates instead of 2048 — on a trie larger than the caches, each lookup is a
 * main-memory access.
 *
 * <p>Slots 0..63 are tested with one AND on the node's engine bits; slots from 64 up by one walk of the node's
 * attribution chain, marking with per-call stamps in scratch arrays (no allocation, no clearing). A probe trusts
 * the 64-bit chained hash without checking the parent, as vLLM trusts its block hashes; {@link PathRecorder}
 * still checks parents before it changes anything. Reads only: recency is not touched. Not thread-safe.
 */
final class PrefixMatcher {

    private static final int NIL = NodeStore.NIL;

    private final TrieState state;
    private int[] candidateStamp = new int[0];
    private int[] presentStamp = new int[0];
    private int[] matchedDepth = new int[0];
    private int[] wideCandidates = new int[0];
    private int wideCount;
    private int stamp;

    PrefixMatcher(TrieState state) {
        this.state = state;
    }

    /** Fills {@code matchedChars[i]} for {@code candidates[i]}: 0 for slots that are not active. */
    void match(PromptKey key, int[] candidates, int[] matchedChars) {
        SlotTable slots = state.slots;
        ensureScratch(slots.highWater());
        long narrow = selectCandidates(candidates);
        search(key.hashes(), 0, key.chunks(), narrow, 0, wideCount);
        for (int i = 0; i < candidates.length; i++) {
            int slot = candidates[i];
            matchedChars[i] = slots.isActive(slot) ? matchedDepth[slot] * state.chunkSize : 0;
        }
    }

    /**
     * Settles the match length of the given candidates, each known to lie in {@code [low, high]}: the narrow ones
     * as bits, the wide ones as {@code wideCandidates[wideFrom, wideTo)}.
     */
    private void search(long[] hashes, int low, int high, long narrow, int wideFrom, int wideTo) {
        while (narrow != 0 || wideFrom < wideTo) {
            if (low == high) {
                settle(low, narrow, wideFrom, wideTo);
                return;
            }
            int mid = (low + high) >>> 1;
            int node = state.index.find(hashes[mid], state.nodes);
            long present = node == NIL ? 0 : state.nodes.slotBits(node) & narrow;
            int wideSplit = wideFrom < wideTo ? partitionWide(node, wideFrom, wideTo) : wideFrom;
            // Present at mid: at least mid + 1 chunks (recurse, on half the depths: the stack stays within
            // log2(chunks)). Absent: at most mid (loop).
            search(hashes, mid + 1, high, present, wideFrom, wideSplit);
            high = mid;
            narrow &= ~present;
            wideFrom = wideSplit;
        }
    }

    private void settle(int depth, long narrow, int wideFrom, int wideTo) {
        for (long alive = narrow; alive != 0; alive &= alive - 1) {
            matchedDepth[Long.numberOfTrailingZeros(alive)] = depth;
        }
        for (int i = wideFrom; i < wideTo; i++) {
            matchedDepth[wideCandidates[i]] = depth;
        }
    }

    /** Returns the active candidates below 64 as bits; puts those from 64 up, once each, in wideCandidates. */
    private long selectCandidates(int[] candidates) {
        int candidateMark = nextStamp();
        long narrow = 0;
        wideCount = 0;
        for (int slot : candidates) {
            if (!state.slots.isActive(slot)) {
                continue;
            }
            if (slot < 64) {
                narrow |= 1L << slot;
            } else if (candidateStamp[slot] != candidateMark) {
                candidateStamp[slot] = candidateMark;
                wideCandidates[wideCount++] = slot;
            }
        }
        return narrow;
    }

    /** Reorders {@code wideCandidates[from, to)} so those attributed to the node come first; returns the split. */
    private int partitionWide(int node, int from, int to) {
        if (node == NIL) {
            return from;
        }
        AttributionStore attrs = state.attrs;
        int mark = nextStamp();
        for (int a = state.nodes.attrHead(node); a != NIL; a = attrs.nextInNode(a)) {
            int slot = attrs.slot(a);
            if (slot >= 64 && slot < presentStamp.length) {
                presentStamp[slot] = mark;
            }
        }
        int split = from;
        for (int i = from; i < to; i++) {
            int slot = wideCandidates[i];
            if (presentStamp[slot] == mark) {
                wideCandidates[i] = wideCandidates[split];
                wideCandidates[split++] = slot;
            }
        }
        return split;
    }

    private int nextStamp() {
        if (++stamp == 0) { // wrapped: old marks could alias new ones
            Arrays.fill(candidateStamp, 0);
            Arrays.fill(presentStamp, 0);
            stamp = 1;
        }
        return stamp;
    }

    private void ensureScratch(int slotCount) {
        if (matchedDepth.length < slotCount) {
            int size = Math.max(slotCount, 2 * matchedDepth.length);
            candidateStamp = Arrays.copyOf(candidateStamp, size);
            presentStamp = Arrays.copyOf(presentStamp, size);
            matchedDepth = new int[size];
            wideCandidates = new int[size];
        }
    }

    long allocatedBytes() {
        return ArrayBytes.of(candidateStamp) + ArrayBytes.of(presentStamp) + ArrayBytes.of(matchedDepth)
                + ArrayBytes.of(wideCandidates);
    }
}
