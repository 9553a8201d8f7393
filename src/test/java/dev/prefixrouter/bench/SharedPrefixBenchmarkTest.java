package dev.prefixrouter.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's small variant: a few users on three engines, most of them sharing two system prompts, run end to
 * end through real routers on loopback. Asserts only what holds by construction, never a latency: routing by
 * prefix finds the engines' caches far more often than round-robin on such a workload, every request succeeds,
 * and the index stays inside a budget small enough to make it evict.
 */
class SharedPrefixBenchmarkTest {

    private static final BenchParameters SMALL = BenchParameters.defaults().with(
            "--engines=3", "--users=16", "--rounds=4",
            "--system-tokens-min=200", "--system-tokens-max=400", "--shared-prompts=2", "--shared-fraction=0.5",
            "--question-tokens-min=10", "--question-tokens-max=20", "--answer-tokens-min=5", "--answer-tokens-max=10",
            "--think-seconds=1", "--duration-seconds=60", "--warmup-seconds=10", "--time-scale=10",
            "--roomy-capacity=1.5", "--jvm-warmup-seconds=0",
            "--policies=round-robin,prefix-aware,prefix-aware-bounded", "--regimes=roomy");

    @Test
    void prefixAwareRoutingHitsTheEnginesCachesAndTheIndexKeepsItsBudget() {
        List<RunResult> runs = new BenchmarkRunner(SMALL, System.out::println).run();
        RunResult roundRobin = runs.get(0);
        RunResult prefixAware = runs.get(1);
        RunResult bounded = runs.get(2);
        assertThat(runs).extracting(RunResult::policy)
                .containsExactly("round-robin", "prefix-aware", "prefix-aware-bounded");

        for (RunResult run : runs) {
            assertThat(run.requests()).as(run.policy() + " requests").isGreaterThan(50);
            assertThat(run.errors()).as(run.policy() + " errors: " + run.errorSamples()).isZero();
        }
        // Round-robin sends a user's next round to another engine; prefix-aware sends it back to its prefix.
        assertThat(prefixAware.engineHitRate()).isGreaterThan(roundRobin.engineHitRate() + 0.15)
                .isGreaterThan(roundRobin.engineHitRate() * 1.3);

        // The unbounded index never evicts; the bounded one (a fifth of that peak) evicts and never crosses its budget.
        assertThat(prefixAware.indexPeakBytes()).isPositive();
        assertThat(prefixAware.indexEvictedNodes()).isZero();
        assertThat(bounded.budgetBytes()).isLessThan(prefixAware.indexPeakBytes() / 4);
        assertThat(bounded.indexEvictedNodes()).isPositive();
        assertThat(bounded.index()).allSatisfy(sample ->
                assertThat(sample.accountedBytes()).isLessThanOrEqualTo(sample.budgetBytes()));
        assertThat(bounded.indexPeakBytes()).isLessThanOrEqualTo(bounded.budgetBytes());
    }
}
