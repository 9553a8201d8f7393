package dev.prefixrouter.trie;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A record that takes several lock holds must cope with whatever other threads did in between. Here the other
 * thread's work is done by hand between two {@link PathRecorder#advance} calls of two chunks each.
 */
class PathRecorderResumeTest {

    private static final int CHUNK = 4;

    private final TrieState state = new TrieState(CHUNK, 1 << 20);
    private final Pruner pruner = new Pruner(state);
    private final PathRecorder recorder = new PathRecorder(state, new MemoryBudget(state, pruner), pruner, 2);
    private final PromptKey key = new HashTrie(CHUNK, 1 << 20, 1, 1).key(Prompts.random(1, 6 * CHUNK));
    private final int slot = state.slots.acquire(Long.MAX_VALUE);

    @Test
    void aRecordWhosePathVanishedMeanwhileStopsShort() {
        PathRecorder.Cursor cursor = new PathRecorder.Cursor(key, slot);
        assertThat(recorder.advance(cursor)).isFalse();
        while (pruner.evictLeastRecent()) {
            TrieInvariants.check(state);
        }

        assertThat(recorder.advance(cursor)).isTrue();
        assertThat(cursor.result()).isZero();
        assertThat(state.nodes.size()).isZero();
        TrieInvariants.check(state);
    }

    @Test
    void aRecordResumingWhereAnotherAddedTheSlotFindsItInsteadOfAddingItTwice() {
        PathRecorder.Cursor first = new PathRecorder.Cursor(key, slot);
        assertThat(recorder.advance(first)).isFalse();
        PathRecorder.Cursor second = new PathRecorder.Cursor(key, slot);
        while (!recorder.advance(second)) {
            TrieInvariants.check(state);
        }
        assertThat(second.result()).isEqualTo(2);

        while (!recorder.advance(first)) {
            TrieInvariants.check(state);
        }
        assertThat(first.result()).isZero();
        assertThat(state.nodes.size()).isEqualTo(6);
        assertThat(state.attrs.size()).isEqualTo(6);
        TrieInvariants.check(state);
    }

    @Test
    void aRecordStopsWhereTheBudgetHoldsOnlyItsOwnPath() {
        TrieState tight = new TrieState(CHUNK, 4L * (HashTrie.NODE_BYTES + HashTrie.ATTRIBUTION_BYTES));
        Pruner tightPruner = new Pruner(tight);
        PathRecorder tightRecorder = new PathRecorder(tight, new MemoryBudget(tight, tightPruner), tightPruner, 2);
        int tightSlot = tight.slots.acquire(Long.MAX_VALUE);
        PathRecorder.Cursor cursor = new PathRecorder.Cursor(key, tightSlot);
        while (!tightRecorder.advance(cursor)) {
            TrieInvariants.check(tight);
        }
        assertThat(cursor.result()).isZero();
        assertThat(tight.nodes.size()).isEqualTo(4);
        TrieInvariants.check(tight);
    }
}
