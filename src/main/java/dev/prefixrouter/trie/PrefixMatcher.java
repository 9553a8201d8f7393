package dev.prefixrouter.trie;

import java.util.Arrays;

/**
 * Longest-prefix match for a set of candidate endpoints in one walk down the key: at each depth, one index lookup,
 * then the candidates still alive are narrowed to those attributed to that node. Because a child's endpoints are a
 * subset of its parent's, a candidate that drops out never comes back, and the walk stops when none is left.
 * Slots 0..63 narrow with one AND on the node's endpoint bits; slots from 64 up are narrowed by one walk of the
 * node's attribution chain, marking with per-call stamps in scratch arrays (no allocation, no clearing).
 * Reads only: recency is not touched. Not thread-safe.
 */
final class PrefixMatcher {

    private static final int NIL = NodeStore.NIL;

    private final TrieState state;
    private int[] candidateStamp = new int[0];
    private int[] presentStamp = new int[0];
    private int[] matchedDepth = new int[0];
    private int[] wideAlive = new int[0];
    private int wideCount;
    private int stamp;

    PrefixMatcher(TrieState state) {
        this.state = state;
    }

    /** Fills {@code matchedChars[i]} for {@code candidates[i]}: 0 for slots that are not active. */
    void match(PromptKey key, int[] candidates, int[] matchedChars) {
        SlotTable slots = state.slots;
        ensureScratch(slots.highWater());
        long narrowAlive = selectCandidates(candidates);
        NodeStore nodes = state.nodes;
        long[] hashes = key.hashes();
        int parent = NIL;
        int depth = 0;
        for (; depth < hashes.length && (narrowAlive != 0 || wideCount != 0); depth++) {
            int node = state.index.find(hashes[depth], nodes);
            if (node == NIL || nodes.parent(node) != parent) {
                break; // absent, or a 64-bit collision with a node elsewhere in the trie
            }
            long present = nodes.endpointBits(node) & narrowAlive;
            for (long dropped = narrowAlive & ~present; dropped != 0; dropped &= dropped - 1) {
                matchedDepth[Long.numberOfTrailingZeros(dropped)] = depth;
            }
            narrowAlive = present;
            if (wideCount != 0) {
                narrowWide(node, depth);
            }
            parent = node;
        }
        for (long alive = narrowAlive; alive != 0; alive &= alive - 1) {
            matchedDepth[Long.numberOfTrailingZeros(alive)] = depth;
        }
        for (int i = 0; i < wideCount; i++) {
            matchedDepth[wideAlive[i]] = depth;
        }
        for (int i = 0; i < candidates.length; i++) {
            int slot = candidates[i];
            matchedChars[i] = slots.isActive(slot) ? matchedDepth[slot] * state.chunkSize : 0;
        }
    }

    /** Returns the active candidates below 64 as bits; puts those from 64 up, once each, in {@code wideAlive}. */
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
                wideAlive[wideCount++] = slot;
            }
        }
        return narrow;
    }

    /** Keeps the wide candidates attributed to {@code node}; those that are not matched {@code depth} chunks. */
    private void narrowWide(int node, int depth) {
        AttributionStore attrs = state.attrs;
        int mark = nextStamp();
        for (int a = state.nodes.attrHead(node); a != NIL; a = attrs.nextInNode(a)) {
            int slot = attrs.slot(a);
            if (slot >= 64 && slot < presentStamp.length) {
                presentStamp[slot] = mark;
            }
        }
        int kept = 0;
        for (int i = 0; i < wideCount; i++) {
            int slot = wideAlive[i];
            if (presentStamp[slot] == mark) {
                wideAlive[kept++] = slot;
            } else {
                matchedDepth[slot] = depth;
            }
        }
        wideCount = kept;
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
            wideAlive = new int[size];
        }
    }

    long allocatedBytes() {
        return ArrayBytes.of(candidateStamp) + ArrayBytes.of(presentStamp) + ArrayBytes.of(matchedDepth)
                + ArrayBytes.of(wideAlive);
    }
}
