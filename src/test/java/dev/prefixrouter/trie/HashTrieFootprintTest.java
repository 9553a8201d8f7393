package dev.prefixrouter.trie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openjdk.jol.info.GraphLayout;

/**
 * Holds the byte accounting to the real heap layout: a trie filled to its budget, so the arrays are nearly full,
 * is measured object by object with JOL and compared with its accounted and allocated bytes.
 */
class HashTrieFootprintTest {

    private static final int CHUNK = 8;

    @ParameterizedTest(name = "{0} bytes, {1} engine(s) per prefix")
    @CsvSource({"10000000, 1", "6000000, 3"})
    void accountedAndAllocatedBytesMatchTheRealHeapWithinTenPercent(long budget, int enginesPerPrefix) {
        HashTrie trie = new HashTrie(CHUNK, budget, Long.MAX_VALUE, 5);
        int[] slots = {trie.acquireSlot(), trie.acquireSlot(), trie.acquireSlot()};
        String body = Prompts.random(1, 31 * CHUNK);
        for (int i = 0; trie.stats().evictedNodes() < budget / 200; i++) {
            PromptKey key = trie.key(String.format("%08d", i) + body);
            for (int e = 0; e < enginesPerPrefix; e++) {
                trie.record(key, slots[e]);
            }
        }
        HashTrieStats stats = trie.stats();
        long real = GraphLayout.parseInstance(trie).totalSize();

        assertThat(stats.accountedBytes()).isLessThanOrEqualTo(budget);
        assertThat(stats.accountedBytes()).as("accounted, against the budget").isGreaterThan(budget * 9 / 10);
        assertThat((double) stats.accountedBytes()).as("accounted bytes vs JOL %d", real)
                .isCloseTo(real, within(real * 0.10));
        assertThat((double) stats.allocatedBytes()).as("allocated bytes vs JOL %d", real)
                .isCloseTo(real, within(real * 0.10));
        assertThat(stats.allocatedBytes()).isLessThanOrEqualTo(budget + 4096);
        double perNode = (double) real / stats.nodes();
        System.out.printf("footprint: budget %d, %d nodes, %d attributions, accounted %d, allocated %d, "
                + "JOL %d, %.1f real bytes per node%n", budget, stats.nodes(), stats.attributions(),
                stats.accountedBytes(), stats.allocatedBytes(), real, perNode);
        TrieInvariants.check(trie);
    }
}
