package dev.prefixrouter.kvevents;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;

/**
 * Holds the byte accounting to the real heap: an index filled past its budget (so both tables stopped growing and
 * evict) is measured with JOL; its accounted bytes are within the budget and within the arrays' headers and the
 * index's fixed fields of what the heap really holds.
 */
class PreciseIndexFootprintTest {

    @Test
    void accountedBytesStayWithinTheBudgetAndMatchTheRealHeap() {
        long budget = 4_000_000;
        PreciseIndex index = new PreciseIndex(budget, Duration.ofSeconds(2));
        int[] engines = {index.register("a"), index.register("b"), index.register("c")};
        for (long i = 1; i % 4096 != 0 || index.stats().evictions() < 50_000; i++) {
            index.stored(engines[(int) (i % 3)], i, i * 0x9E3779B97F4A7C15L);
            if (i % 4 == 0) {
                index.speculate(engines[0], new long[] {i * 31}, i);
            }
        }
        PreciseIndexStats stats = index.stats();
        long real = GraphLayout.parseInstance(index).totalSize();
        System.out.printf("precise index footprint: budget %d, %d keys, %d mappings, accounted %d, JOL %d%n",
                budget, stats.keys(), stats.mappings(), stats.bytes(), real);
        assertThat(stats.bytes()).isLessThanOrEqualTo(budget).isGreaterThan(budget * 6 / 10);
        assertThat(real).as("real heap vs accounted").isBetween(stats.bytes(), stats.bytes() + 16 * 1024);
        IndexInvariants.check(index);
        // Evicting in slot order once grew a 31,855-slot run in a 65,536-slot table; at 3/4 load, a few hundred.
        index.inspect(state -> {
            assertThat(IndexInvariants.longestRun(state.keys)).as("longest key run").isLessThan(2_000);
            assertThat(IndexInvariants.longestRun(state.mappings)).as("longest mapping run").isLessThan(2_000);
            return null;
        });
    }
}
