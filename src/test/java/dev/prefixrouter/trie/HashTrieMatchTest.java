package dev.prefixrouter.trie;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which engines a prompt matches, and how far. */
class HashTrieMatchTest {

    private static final int CHUNK = 16;
    private static final long BIG = 64L << 20;
    private static final long UNLIMITED = Long.MAX_VALUE / 2;

    private final HashTrie trie = new HashTrie(CHUNK, BIG, UNLIMITED, 42);

    @AfterEach
    void invariantsHold() {
        TrieInvariants.check(trie);
    }

    @Test
    void samePrefixMatchesTheEndpointItWasSentTo() {
        int a = trie.acquireSlot();
        int b = trie.acquireSlot();
        String prompt = Prompts.random(1, 10 * CHUNK);
        trie.record(trie.key(prompt), a);

        assertThat(trie.match(trie.key(prompt), new int[] {a, b})).containsExactly(10 * CHUNK, 0);
    }

    @Test
    void divergingPromptsShareOnlyTheCommonFullChunks() {
        int a = trie.acquireSlot();
        String common = Prompts.random(1, 3 * CHUNK + 5); // 3 full chunks, then 5 shared chars of the 4th
        trie.record(trie.key(common + Prompts.random(2, 4 * CHUNK)), a);

        int[] matched = trie.match(trie.key(common + Prompts.random(3, 4 * CHUNK)), new int[] {a});

        assertThat(matched).containsExactly(3 * CHUNK);
        assertThat(trie.stats().nodes()).isEqualTo(7);
    }

    @Test
    void aTrailingPartialChunkIsNeitherIndexedNorMatched() {
        int a = trie.acquireSlot();
        String prompt = Prompts.random(1, 2 * CHUNK + CHUNK - 1);
        PromptKey key = trie.key(prompt);
        trie.record(key, a);

        assertThat(key.chunks()).isEqualTo(2);
        assertThat(trie.stats().nodes()).isEqualTo(2);
        assertThat(trie.match(trie.key(prompt), new int[] {a})).containsExactly(2 * CHUNK);
        assertThat(trie.match(trie.key(prompt.substring(0, CHUNK - 1)), new int[] {a})).containsExactly(0);
    }

    @Test
    void aGrowingConversationKeepsMatchingItsEndpoint() {
        int a = trie.acquireSlot();
        int b = trie.acquireSlot();
        trie.record(trie.key(Prompts.random(99, 20 * CHUNK)), b);
        StringBuilder conversation = new StringBuilder(Prompts.random(0, 5 * CHUNK + 3));
        for (int turn = 1; turn <= 10; turn++) {
            int[] before = trie.match(trie.key(conversation), new int[] {a, b});
            trie.record(trie.key(conversation), a);
            int held = conversation.length() / CHUNK * CHUNK;
            conversation.append(Prompts.random(turn, 2 * CHUNK + turn));

            int[] after = trie.match(trie.key(conversation), new int[] {a, b});
            assertThat(after[0]).as("turn %d", turn).isEqualTo(held);
            assertThat(after[1]).isZero();
            assertThat(before[0]).isLessThanOrEqualTo(after[0]);
        }
    }

    @Test
    void matchIsRestrictedToTheCandidatesAndSkipsUnknownSlots() {
        int a = trie.acquireSlot();
        int b = trie.acquireSlot();
        int c = trie.acquireSlot();
        String prompt = Prompts.random(1, 8 * CHUNK);
        trie.record(trie.key(prompt.substring(0, 4 * CHUNK)), a);
        trie.record(trie.key(prompt), b);

        PromptKey key = trie.key(prompt);
        assertThat(trie.match(key, new int[] {b})).containsExactly(8 * CHUNK);
        assertThat(trie.match(key, new int[] {c, a})).containsExactly(0, 4 * CHUNK);
        assertThat(trie.match(key, new int[] {a, a, 77, -1})).containsExactly(4 * CHUNK, 4 * CHUNK, 0, 0);
        assertThat(trie.match(key, new int[0])).isEmpty();
    }

    @Test
    void matchDoesNotChangeRecency() {
        int a = trie.acquireSlot();
        String old = Prompts.random(1, 2 * CHUNK);
        trie.record(trie.key(old), a);
        trie.record(trie.key(Prompts.random(2, 2 * CHUNK)), a);
        trie.match(trie.key(old), new int[] {a});

        trie.evict(trie.stats().accountedBytes() - 1, 2);

        assertThat(trie.match(trie.key(old), new int[] {a})).containsExactly(CHUNK);
    }

    @Test
    void moreThan64EndpointsEachMatchTheirOwnPrefixes() {
        int engines = 200;
        int[] slots = IntStream.range(0, engines).map(i -> trie.acquireSlot()).toArray();
        assertThat(slots).containsExactly(IntStream.range(0, engines).toArray());
        String system = Prompts.random(7, 4 * CHUNK);
        for (int e = 0; e < engines; e++) {
            // Engine e holds the shared system prompt and a private tail of (e % 5) + 1 chunks.
            trie.record(trie.key(system + Prompts.random(1000 + e, ((e % 5) + 1) * CHUNK)), e);
        }
        for (int e = 0; e < engines; e += 13) {
            String prompt = system + Prompts.random(1000 + e, 6 * CHUNK);
            int[] matched = trie.match(trie.key(prompt), slots);
            for (int other = 0; other < engines; other++) {
                int expected = other == e ? (4 + (e % 5) + 1) * CHUNK : 4 * CHUNK;
                assertThat(matched[other]).as("engine %d on %d's prompt", other, e).isEqualTo(expected);
            }
        }
        trie.releaseSlot(150);
        trie.releaseSlot(3);
        while (trie.maintain(50) > 0) {
            TrieInvariants.check(trie);
        }
        assertThat(trie.match(trie.key(system), new int[] {3, 150, 151})).containsExactly(0, 0, 4 * CHUNK);
        assertThat(trie.acquireSlot()).isEqualTo(3);
        assertThat(trie.acquireSlot()).isEqualTo(150);
    }

    @Test
    void keysAreDeterministicPerSeedAndCountOnlyFullChunks() {
        HashTrie same = new HashTrie(CHUNK, BIG, UNLIMITED, 42);
        HashTrie other = new HashTrie(CHUNK, BIG, UNLIMITED, 43);
        String prompt = Prompts.random(1, 3 * CHUNK + 1);
        PromptKey key = trie.key(prompt);
        assertThat(key.chunks()).isEqualTo(3);
        assertThat(key.matchableChars()).isEqualTo(3 * CHUNK);
        assertThat(key.promptLength()).isEqualTo(3 * CHUNK + 1);
        assertThat(same.key(prompt).hash(2)).isEqualTo(key.hash(2));
        assertThat(other.key(prompt).hash(2)).isNotEqualTo(key.hash(2));
        assertThat(trie.key(new StringBuilder(prompt)).hash(2)).isEqualTo(key.hash(2));
        assertThat(trie.key("").chunks()).isZero();
    }
}
