package dev.prefixrouter.trie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Slots coming and going, capacities, undo, the memory budget and eviction, clear, stats and validation. */
class HashTrieLifecycleTest {

    private static final int CHUNK = 16;
    private static final long BIG = 64L << 20;
    private static final long UNLIMITED = Long.MAX_VALUE / 2;

    private final HashTrie trie = new HashTrie(CHUNK, BIG, UNLIMITED, 42);

    @AfterEach
    void invariantsHold() {
        TrieInvariants.check(trie);
    }

    @Test
    void aReleasedSlotStopsMatchingAtOnceAndIsReusedOnceSwept() {
        int a = trie.acquireSlot();
        int b = trie.acquireSlot();
        String shared = Prompts.random(1, 6 * CHUNK);
        for (int i = 0; i < 20; i++) {
            trie.record(trie.key(shared + Prompts.random(100 + i, 3 * CHUNK)), a);
        }
        trie.record(trie.key(shared), b);

        trie.releaseSlot(a);
        assertThat(trie.match(trie.key(shared), new int[] {a, b})).containsExactly(0, 6 * CHUNK);
        assertThat(trie.record(trie.key(shared), a)).isEqualTo(6); // in-flight record of a gone engine: ignored
        assertThat(trie.stats().retiredSlots()).isEqualTo(1);
        assertThat(trie.acquireSlot()).isEqualTo(2); // not reusable before it is swept

        int work = 0;
        int batch;
        while ((batch = trie.maintain(7)) > 0) {
            assertThat(batch).isLessThanOrEqualTo(7);
            TrieInvariants.check(trie);
            work += batch;
        }
        assertThat(work).isEqualTo(6 + 20 * 3);
        HashTrieStats stats = trie.stats();
        assertThat(stats.retiredSlots()).isZero();
        assertThat(stats.nodes()).isEqualTo(6); // only b's prefix is left
        assertThat(stats.attributions()).isEqualTo(6);
        assertThat(trie.acquireSlot()).isEqualTo(a);
        assertThat(trie.match(trie.key(shared), new int[] {a})).containsExactly(0);
    }

    @Test
    void releasingAnEmptySlotFreesItAtOnce() {
        int a = trie.acquireSlot();
        trie.releaseSlot(a);
        assertThat(trie.acquireSlot()).isEqualTo(a);
    }

    @Test
    void capacityDropsTheColdestAttributionsOfThatSlotOnly() {
        int a = trie.acquireSlot();
        int b = trie.acquireSlot();
        trie.setCapacity(a, 10 * CHUNK);
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            prompts.add(Prompts.random(i, 4 * CHUNK));
            trie.record(trie.key(prompts.get(i)), a);
            trie.record(trie.key(prompts.get(i)), b);
            TrieInvariants.check(trie);
        }
        // a holds 10 chunks: the two newest prompts in full and the first half of the third newest.
        assertThat(trie.match(trie.key(prompts.get(4)), new int[] {a, b})).containsExactly(4 * CHUNK, 4 * CHUNK);
        assertThat(trie.match(trie.key(prompts.get(3)), new int[] {a})).containsExactly(4 * CHUNK);
        assertThat(trie.match(trie.key(prompts.get(2)), new int[] {a})).containsExactly(2 * CHUNK);
        assertThat(trie.match(trie.key(prompts.get(0)), new int[] {a, b})).containsExactly(0, 4 * CHUNK);
        HashTrieStats stats = trie.stats();
        assertThat(stats.slots()).containsExactly(new HashTrieStats.SlotStats(a, 10 * CHUNK, 10 * CHUNK),
                new HashTrieStats.SlotStats(b, 20 * CHUNK, UNLIMITED));
        assertThat(stats.capacityDroppedAttributions()).isEqualTo(10);
        assertThat(stats.nodes()).isEqualTo(20); // b still holds every node
    }

    @Test
    void loweringCapacityTrimsAndRemovesNodesNoOneHolds() {
        int a = trie.acquireSlot();
        for (int i = 0; i < 50; i++) {
            trie.record(trie.key(Prompts.random(i, 8 * CHUNK)), a);
        }
        trie.setCapacity(a, 3 * CHUNK);
        assertThat(trie.stats().nodes()).isEqualTo(3);
        assertThat(trie.match(trie.key(Prompts.random(49, 8 * CHUNK)), new int[] {a})).containsExactly(3 * CHUNK);
        trie.setCapacity(a, CHUNK - 1);
        assertThat(trie.stats().nodes()).isZero();
        assertThat(trie.record(trie.key(Prompts.random(1, 8 * CHUNK)), a)).isEqualTo(8);
        assertThat(trie.stats().nodes()).isZero();
    }

    @Test
    void undoRemovesWhatRecordAddedAndNothingElse() {
        int a = trie.acquireSlot();
        int b = trie.acquireSlot();
        String base = Prompts.random(1, 3 * CHUNK);
        String longer = base + Prompts.random(2, 4 * CHUNK);
        trie.record(trie.key(base), a);
        trie.record(trie.key(longer), b);

        PromptKey key = trie.key(longer);
        int from = trie.record(key, a);
        assertThat(from).isEqualTo(3);
        assertThat(trie.match(key, new int[] {a})).containsExactly(7 * CHUNK);

        trie.undo(key, a, from);
        assertThat(trie.match(key, new int[] {a, b})).containsExactly(3 * CHUNK, 7 * CHUNK);
        assertThat(trie.stats().nodes()).isEqualTo(7);

        int nothingNew = trie.record(trie.key(base), a);
        assertThat(nothingNew).isEqualTo(3);
        trie.undo(trie.key(base), a, nothingNew);
        assertThat(trie.match(key, new int[] {a})).containsExactly(3 * CHUNK);
    }

    @Test
    void undoRemovesNodesNoOneElseHolds() {
        int a = trie.acquireSlot();
        PromptKey key = trie.key(Prompts.random(1, 5 * CHUNK));
        trie.undo(key, a, trie.record(key, a));
        assertThat(trie.stats().nodes()).isZero();
        assertThat(trie.stats().accountedBytes()).isZero();
    }

    @Test
    void undoKeepsAnAttributionALaterRecordBuiltOn() {
        int a = trie.acquireSlot();
        String prompt = Prompts.random(1, 4 * CHUNK);
        PromptKey key = trie.key(prompt);
        int from = trie.record(key, a);
        trie.record(trie.key(prompt + Prompts.random(2, 2 * CHUNK)), a); // served by a: a holds all of prompt

        trie.undo(key, a, from);

        assertThat(trie.match(key, new int[] {a})).containsExactly(4 * CHUNK);
    }

    @Test
    void aSaturatedChildCountOnlyMakesUndoKeepMore() {
        HashTrie wide = new HashTrie(8, BIG, UNLIMITED, 3);
        int a = wide.acquireSlot();
        int children = 0x10000 + 10; // past the 16-bit child count
        for (int i = 0; i < children; i++) {
            wide.record(wide.key(String.format("rootroot%08x", i)), a);
        }
        PromptKey last = wide.key(String.format("rootroot%08x", children - 1));
        wide.undo(last, a, 0);
        TrieInvariants.check(wide);
        assertThat(wide.match(last, new int[] {a})).containsExactly(8); // the shared root stays
        assertThat(wide.stats().nodes()).isEqualTo(children);
        wide.evict(0, Integer.MAX_VALUE);
        assertThat(wide.stats().nodes()).isZero();
    }

    @Test
    void theHardCapEvictsColdLeavesAndNeverThePathBeingInserted() {
        long budget = 40L * (HashTrie.NODE_BYTES + HashTrie.ATTRIBUTION_BYTES);
        HashTrie small = new HashTrie(CHUNK, budget, UNLIMITED, 1);
        int a = small.acquireSlot();
        String hot = Prompts.random(0, 5 * CHUNK);
        for (int i = 1; i <= 30; i++) {
            small.record(small.key(hot), a); // keeps the shared prefix warm
            small.record(small.key(hot + Prompts.random(i, 5 * CHUNK)), a);
            assertThat(small.stats().accountedBytes()).isLessThanOrEqualTo(budget);
            TrieInvariants.check(small);
        }
        assertThat(small.stats().evictedNodes()).isPositive();
        assertThat(small.match(small.key(hot + Prompts.random(30, 5 * CHUNK)), new int[] {a}))
                .containsExactly(10 * CHUNK);
        assertThat(small.match(small.key(hot), new int[] {a})).containsExactly(5 * CHUNK);

        PromptKey huge = small.key(Prompts.random(77, 100 * CHUNK)); // longer than the whole budget
        assertThat(small.record(huge, a)).isZero();
        assertThat(small.match(huge, new int[] {a})).containsExactly(40 * CHUNK);
        assertThat(small.stats().nodes()).isEqualTo(40);
        TrieInvariants.check(small);
    }

    @Test
    void evictTakesLeastRecentLeavesInBoundedBatchesAndRootsLastUpToHalf() {
        int a = trie.acquireSlot();
        for (int i = 0; i < 10; i++) {
            trie.record(trie.key(Prompts.random(i, 3 * CHUNK)), a);
        }
        long perNode = HashTrie.NODE_BYTES + HashTrie.ATTRIBUTION_BYTES;
        assertThat(trie.evict(0, 4)).isEqualTo(4);
        assertThat(trie.stats().nodes()).isEqualTo(26);
        // The oldest prompts went first, deepest chunk first, down to their first chunk.
        assertThat(trie.match(trie.key(Prompts.random(0, 3 * CHUNK)), new int[] {a})).containsExactly(CHUNK);
        assertThat(trie.match(trie.key(Prompts.random(1, 3 * CHUNK)), new int[] {a})).containsExactly(CHUNK);
        assertThat(trie.match(trie.key(Prompts.random(2, 3 * CHUNK)), new int[] {a})).containsExactly(3 * CHUNK);
        assertThat(trie.evict(24 * perNode, 100)).isEqualTo(2);
        assertThat(trie.match(trie.key(Prompts.random(2, 3 * CHUNK)), new int[] {a})).containsExactly(CHUNK);
        assertThat(trie.match(trie.key(Prompts.random(3, 3 * CHUNK)), new int[] {a})).containsExactly(3 * CHUNK);
        HashTrieStats stats = trie.stats();
        assertThat(stats.evictedNodes()).isEqualTo(6);
        assertThat(stats.evictedBytes()).isEqualTo(6 * perNode);
        // First chunks go last, but may hold at most half the nodes: past that, the coldest first chunk goes.
        assertThat(trie.evict(10 * perNode, 100)).isEqualTo(14);
        int[] expected = {0, 0, 0, 0, 0, CHUNK, CHUNK, 2 * CHUNK, 3 * CHUNK, 3 * CHUNK};
        for (int i = 0; i < 10; i++) {
            assertThat(trie.match(trie.key(Prompts.random(i, 3 * CHUNK)), new int[] {a})).as("prompt %d", i)
                    .containsExactly(expected[i]);
        }
        TrieInvariants.check(trie);
        assertThat(trie.evict(9 * perNode, 100)).isEqualTo(1);
        assertThat(trie.match(trie.key(Prompts.random(7, 3 * CHUNK)), new int[] {a})).containsExactly(CHUNK);
        assertThat(trie.evict(0, Integer.MAX_VALUE)).isEqualTo(9);
        assertThat(trie.evict(0, 10)).isZero();
    }

    @Test
    void firstChunksOfFinishedConversationsDoNotCrowdOutAHotPath() {
        long budget = 40L * (HashTrie.NODE_BYTES + HashTrie.ATTRIBUTION_BYTES);
        HashTrie small = new HashTrie(CHUNK, budget, UNLIMITED, 1);
        int a = small.acquireSlot();
        String hot = Prompts.random(0, 10 * CHUNK);
        for (int i = 1; i <= 60; i++) {
            small.record(small.key(hot), a);
            small.record(small.key(Prompts.random(i, 3 * CHUNK)), a); // a conversation of one request
            TrieInvariants.check(small);
        }
        assertThat(small.match(small.key(hot), new int[] {a})).containsExactly(10 * CHUNK);
        assertThat(small.match(small.key(Prompts.random(60, 3 * CHUNK)), new int[] {a})).containsExactly(3 * CHUNK);
        assertThat(small.match(small.key(Prompts.random(1, 3 * CHUNK)), new int[] {a})).containsExactly(0);
        assertThat(small.stats().nodes()).isLessThanOrEqualTo(40);
    }

    @Test
    void clearForgetsPrefixesButKeepsActiveSlots() {
        int a = trie.acquireSlot();
        int b = trie.acquireSlot();
        trie.setCapacity(a, 1000);
        trie.record(trie.key(Prompts.random(1, 5 * CHUNK)), a);
        trie.record(trie.key(Prompts.random(1, 5 * CHUNK)), b);
        trie.releaseSlot(b);

        trie.clear();

        HashTrieStats stats = trie.stats();
        assertThat(stats.nodes()).isZero();
        assertThat(stats.accountedBytes()).isZero();
        assertThat(stats.retiredSlots()).isZero();
        assertThat(stats.slots()).containsExactly(new HashTrieStats.SlotStats(a, 0, 1000));
        assertThat(trie.acquireSlot()).isEqualTo(b);
        trie.record(trie.key(Prompts.random(1, 5 * CHUNK)), a);
        assertThat(trie.match(trie.key(Prompts.random(1, 5 * CHUNK)), new int[] {a})).containsExactly(5 * CHUNK);
    }

    @Test
    void statsReportBudgetDepthAndRealArrayBytes() {
        int a = trie.acquireSlot();
        trie.record(trie.key(Prompts.random(1, 9 * CHUNK)), a);
        HashTrieStats stats = trie.stats();
        assertThat(stats.nodes()).isEqualTo(9);
        assertThat(stats.attributions()).isEqualTo(9);
        assertThat(stats.accountedBytes()).isEqualTo(9L * (HashTrie.NODE_BYTES + HashTrie.ATTRIBUTION_BYTES));
        assertThat(stats.maxBytes()).isEqualTo(BIG);
        assertThat(stats.maxRecordedDepth()).isEqualTo(9);
        assertThat(stats.allocatedBytes()).isGreaterThan(1024L * (HashTrie.NODE_BYTES + HashTrie.ATTRIBUTION_BYTES));
        assertThat(stats.utilization()).isBetween(0.0, 1.0);
    }

    @Test
    void argumentsAreValidatedWithClearMessages() {
        assertThatThrownBy(() -> new HashTrie(0, BIG, 1, 1)).hasMessageContaining("chunkSize");
        assertThatThrownBy(() -> new HashTrie(CHUNK, 10, 1, 1)).hasMessageContaining("maxMemoryBytes");
        assertThatThrownBy(() -> new HashTrie(CHUNK, BIG, -1, 1)).hasMessageContaining("defaultCapacityChars");
        PromptKey foreign = new HashTrie(CHUNK, BIG, 1, 42).key(Prompts.random(1, CHUNK));
        assertThatThrownBy(() -> trie.match(foreign, new int[0])).hasMessageContaining("another HashTrie");
        assertThatThrownBy(() -> trie.record(trie.key("x"), -1)).hasMessageContaining("slot must be");
        assertThatThrownBy(() -> trie.record(trie.key("x"), 1 << 16)).hasMessageContaining("slot must be");
        assertThat(trie.record(trie.key(Prompts.random(1, 2 * CHUNK)), 5)).as("never acquired: ignored")
                .isEqualTo(2);
        assertThat(trie.stats().nodes()).isZero();
        int a = trie.acquireSlot();
        assertThatThrownBy(() -> trie.undo(trie.key("x"), a, 1)).hasMessageContaining("fromDepth");
        assertThatThrownBy(() -> trie.setCapacity(a, -1)).hasMessageContaining("capacityChars");
        assertThatThrownBy(() -> trie.evict(-1, 1)).hasMessageContaining("targetBytes");
        assertThatThrownBy(() -> trie.maintain(-1)).hasMessageContaining("maxWork");
        assertThatThrownBy(() -> trie.releaseSlot(a + 1)).hasMessageContaining("not an active");
    }
}
