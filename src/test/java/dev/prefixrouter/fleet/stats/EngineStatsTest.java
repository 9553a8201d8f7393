package dev.prefixrouter.fleet.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.prefixrouter.prometheus.ParsedScrape;
import dev.prefixrouter.prometheus.PrometheusTextParser;
import dev.prefixrouter.prometheus.Sample;
import dev.prefixrouter.support.MetricsPayloads;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class EngineStatsTest {

    private static final long T0 = 1_000_000_000L;
    private static final long SCRAPE_INTERVAL = Duration.ofSeconds(5).toNanos();

    private static List<Sample> samples(String body) {
        ParsedScrape scrape = new PrometheusTextParser().parse(body);
        assertThat(scrape.skippedLines()).as("skipped lines, first: %s", scrape.firstSkippedLine()).isZero();
        return scrape.samples();
    }

    /** A vLLM scrape with two data-parallel engines and the given cumulative prefix-cache counters per engine. */
    private static List<Sample> vllmCounters(double hits0, double queries0, double hits1, double queries1) {
        return samples("""
                # TYPE vllm:prefix_cache_queries_total counter
                vllm:prefix_cache_queries_total{model_name="m",engine="0"} %s
                vllm:prefix_cache_queries_total{model_name="m",engine="1"} %s
                # TYPE vllm:prefix_cache_hits_total counter
                vllm:prefix_cache_hits_total{model_name="m",engine="0"} %s
                vllm:prefix_cache_hits_total{model_name="m",engine="1"} %s
                """.formatted(queries0, queries1, hits0, hits1));
    }

    @Nested
    class Vllm {

        private final EngineStats first = EngineStats.from(samples(MetricsPayloads.vllm()), T0);

        @Test
        void sumsRequestCountsOverDataParallelEngines() {
            assertThat(first.runningRequests()).hasValue(5);
            assertThat(first.waitingRequests()).hasValue(1);
        }

        @Test
        void averagesKvCacheUsageOverEngines() {
            assertThat(first.kvCacheUsage().getAsDouble()).isCloseTo(0.30, within(1e-12));
        }

        @Test
        void readsCapacityFromCacheConfigInfoOfEveryEngine() {
            assertThat(first.kvCacheCapacityTokens()).hasValue(2L * 27_000 * 16);
            assertThat(first.kvCacheCapacityChars(EngineStats.CHARS_PER_TOKEN))
                    .hasValue(2L * 27_000 * 16 * EngineStats.CHARS_PER_TOKEN);
        }

        @Test
        void hitRateIsUnknownOnTheFirstScrapeButTheCountersAreKept() {
            assertThat(first.prefixCacheHitRate()).isEmpty();
            assertThat(first.prefixCacheCounters()).contains(new PrefixCacheCounters(80_000, 200_000));
            assertThat(first.scrapedAtNanos()).isEqualTo(T0);
        }

        @Test
        void hitRateComesFromTheCounterDeltasSinceThePreviousScrape() {
            EngineStats second = EngineStats.from(vllmCounters(60_900, 121_000, 20_300, 81_000), first,
                    T0 + SCRAPE_INTERVAL);
            assertThat(second.prefixCacheHitRate().getAsDouble()).isCloseTo(1_200.0 / 2_000, within(1e-12));
        }

        @Test
        void hitRateIsUnknownWhenNothingWasLookedUpInTheInterval() {
            EngineStats idle = EngineStats.from(vllmCounters(60_000, 120_000, 20_000, 80_000), first,
                    T0 + SCRAPE_INTERVAL);
            assertThat(idle.prefixCacheHitRate()).isEmpty();
            assertThat(idle.prefixCacheCounters()).isPresent();
        }

        @Test
        void aCounterResetCountsTheNewTotalsAsTheInterval() {
            EngineStats restarted = EngineStats.from(vllmCounters(30, 150, 20, 50), first, T0 + SCRAPE_INTERVAL);
            assertThat(restarted.prefixCacheHitRate().getAsDouble()).isCloseTo(50.0 / 200, within(1e-12));

            EngineStats after = EngineStats.from(vllmCounters(130, 250, 20, 50), restarted, T0 + 2 * SCRAPE_INTERVAL);
            assertThat(after.prefixCacheHitRate().getAsDouble()).isCloseTo(1.0, within(1e-12));
        }

        @Test
        void aResetOfOnlyTheHitsCounterIsStillAReset() {
            EngineStats previous = EngineStats.from(vllmCounters(500, 1_000, 0, 0), T0);
            EngineStats next = EngineStats.from(vllmCounters(100, 1_200, 0, 0), previous, T0 + SCRAPE_INTERVAL);
            assertThat(next.prefixCacheHitRate().getAsDouble()).isCloseTo(100.0 / 1_200, within(1e-12));
        }

        @Test
        void hitRateIsUnknownWhenEitherScrapeLacksTheCounters() {
            EngineStats withoutCounters = EngineStats.from(samples("vllm:num_requests_running 1\n"), T0);
            EngineStats afterGap = EngineStats.from(vllmCounters(1, 2, 3, 4), withoutCounters, T0 + SCRAPE_INTERVAL);
            assertThat(afterGap.prefixCacheHitRate()).isEmpty();

            EngineStats gap = EngineStats.from(samples("vllm:prefix_cache_hits_total 7\n"), first,
                    T0 + SCRAPE_INTERVAL);
            assertThat(gap.prefixCacheHitRate()).isEmpty();
            assertThat(gap.prefixCacheCounters()).isEmpty();
        }

        @Test
        void sumsRequestCountsOverModels() {
            EngineStats stats = EngineStats.from(samples("""
                    vllm:num_requests_running{model_name="llama",engine="0"} 2.0
                    vllm:num_requests_running{model_name="llama-lora",engine="0"} 3.0
                    vllm:num_requests_waiting{model_name="llama",engine="0"} 0.0
                    vllm:num_requests_waiting{model_name="llama-lora",engine="0"} 4.0
                    """), T0);
            assertThat(stats.runningRequests()).hasValue(5);
            assertThat(stats.waitingRequests()).hasValue(4);
        }
    }

    @Nested
    class Sglang {

        private final EngineStats stats = EngineStats.from(samples(MetricsPayloads.sglang()), T0);

        @Test
        void mapsSglangGaugesToTheSameFields() {
            assertThat(stats.runningRequests()).hasValue(28 + 31);
            assertThat(stats.waitingRequests()).hasValue(2_856 + 2_790);
            assertThat(stats.kvCacheUsage().getAsDouble()).isCloseTo((0.31 + 0.24) / 2, within(1e-12));
        }

        @Test
        void readsCapacityFromTheTokenPoolSizeOfEveryRank() {
            assertThat(stats.kvCacheCapacityTokens()).hasValue(2L * 442_353);
            assertThat(stats.kvCacheCapacityChars(EngineStats.CHARS_PER_TOKEN))
                    .hasValue(2L * 442_353 * EngineStats.CHARS_PER_TOKEN);
        }

        @Test
        void hasNoPrefixCacheCounters() {
            EngineStats next = EngineStats.from(samples(MetricsPayloads.sglang()), stats, T0 + SCRAPE_INTERVAL);
            assertThat(next.prefixCacheCounters()).isEmpty();
            assertThat(next.prefixCacheHitRate()).isEmpty();
        }
    }

    @Nested
    class Unknowns {

        @Test
        void missingMetricsAreUnknownNotZero() {
            EngineStats stats = EngineStats.from(samples("vllm:num_requests_running{model_name=\"m\"} 0.0\n"), T0);
            assertThat(stats.runningRequests()).hasValue(0);
            assertThat(stats.waitingRequests()).isEmpty();
            assertThat(stats.kvCacheUsage()).isEmpty();
            assertThat(stats.prefixCacheHitRate()).isEmpty();
            assertThat(stats.kvCacheCapacityTokens()).isEmpty();
            assertThat(stats.kvCacheCapacityChars(EngineStats.CHARS_PER_TOKEN)).isEmpty();
        }

        @Test
        void anEmptyScrapeKnowsNothing() {
            EngineStats stats = EngineStats.from(List.of(), T0);
            assertThat(stats.runningRequests()).isEmpty();
            assertThat(stats.prefixCacheCounters()).isEmpty();
        }

        @Test
        void nanOrInfiniteValuesAreUnknown() {
            EngineStats stats = EngineStats.from(samples("""
                    vllm:num_requests_running{engine="0"} 1
                    vllm:num_requests_running{engine="1"} NaN
                    vllm:num_requests_waiting +Inf
                    vllm:kv_cache_usage_perc NaN
                    vllm:prefix_cache_hits_total NaN
                    vllm:prefix_cache_queries_total 10
                    """), T0);
            assertThat(stats.runningRequests()).isEmpty();
            assertThat(stats.waitingRequests()).isEmpty();
            assertThat(stats.kvCacheUsage()).isEmpty();
            assertThat(stats.prefixCacheCounters()).isEmpty();
        }

        @Test
        void negativeCountersAreNotCounters() {
            EngineStats stats = EngineStats.from(samples("""
                    vllm:prefix_cache_hits_total -1
                    vllm:prefix_cache_queries_total 10
                    """), T0);
            assertThat(stats.prefixCacheCounters()).isEmpty();
        }

        @Test
        void capacityIsUnknownWhileAnyEngineHasNotSizedItsCache() {
            EngineStats stats = EngineStats.from(samples("""
                    vllm:cache_config_info{block_size="16",engine="0",num_gpu_blocks="27000"} 1.0
                    vllm:cache_config_info{block_size="16",engine="1",num_gpu_blocks="None"} 1.0
                    """), T0);
            assertThat(stats.kvCacheCapacityTokens()).isEmpty();
        }

        @Test
        void capacityIsUnknownWithoutUsableLabels() {
            for (String labels : List.of("num_gpu_blocks=\"100\"", "block_size=\"16\"",
                    "block_size=\"16\",num_gpu_blocks=\"0\"", "block_size=\"-16\",num_gpu_blocks=\"10\"",
                    "block_size=\"16.0\",num_gpu_blocks=\"10\"", "block_size=\"16\",num_gpu_blocks=\"\"",
                    "block_size=\"99999999999\",num_gpu_blocks=\"999999999999999999\"")) {
                EngineStats stats = EngineStats.from(samples("vllm:cache_config_info{" + labels + "} 1\n"), T0);
                assertThat(stats.kvCacheCapacityTokens()).as(labels).isEmpty();
            }
        }

        @Test
        void refusesNaNAsAKnownValue() {
            assertThatThrownBy(() -> new EngineStats(T0, OptionalDouble.of(Double.NaN), OptionalDouble.empty(),
                    OptionalDouble.empty(), OptionalDouble.empty(), OptionalLong.empty(), Optional.empty()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("runningRequests");
        }

        @Test
        void capacityInCharsIsUnknownWhenItOverflows() {
            EngineStats stats = new EngineStats(T0, OptionalDouble.empty(), OptionalDouble.empty(),
                    OptionalDouble.empty(), OptionalDouble.empty(), OptionalLong.of(Long.MAX_VALUE / 2),
                    Optional.empty());
            assertThat(stats.kvCacheCapacityChars(1)).hasValue(Long.MAX_VALUE / 2);
            assertThat(stats.kvCacheCapacityChars(4)).isEmpty();
            assertThatThrownBy(() -> stats.kvCacheCapacityChars(0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class OthersWaiting {

        private EngineStats queue(double running, double waiting) {
            return new EngineStats(T0, OptionalDouble.of(running), OptionalDouble.of(waiting), OptionalDouble.empty(),
                    OptionalDouble.empty(), OptionalLong.empty(), Optional.empty());
        }

        @Test
        void unknownUntilTheRoutersShareIsRecorded() {
            assertThat(queue(2, 3).othersWaiting()).isEmpty();
            assertThat(queue(2, 3).withRouterInFlight(0).othersWaiting()).hasValue(3);
        }

        @Test
        void theRoutersOwnRequestsAreNobodyElsesQueue() {
            assertThat(queue(4, 3).withRouterInFlight(7).othersWaiting()).hasValue(0);
            // Requests on their way to the engine, not yet counted by it.
            assertThat(queue(4, 3).withRouterInFlight(9).othersWaiting()).hasValue(0);
        }

        @Test
        void othersWaitInProportionToTheirShareOfTheEnginesRequests() {
            assertThat(queue(6, 4).withRouterInFlight(5).othersWaiting()).hasValue(2);
            assertThat(queue(0, 0).withRouterInFlight(0).othersWaiting()).hasValue(0);
        }

        @Test
        void unknownWithoutTheEnginesCounts() {
            EngineStats silent = new EngineStats(T0, OptionalDouble.empty(), OptionalDouble.empty(),
                    OptionalDouble.empty(), OptionalDouble.empty(), OptionalLong.empty(), Optional.empty());
            assertThat(silent.withRouterInFlight(3).othersWaiting()).isEmpty();
        }

        @Test
        void refusesANegativeShare() {
            assertThatThrownBy(() -> queue(1, 1).withRouterInFlight(-2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("routerInFlight");
        }
    }

    @Nested
    class Freshness {

        private final EngineStats stats = EngineStats.from(List.of(), T0);
        private final Duration maxAge = Duration.ofSeconds(15);

        @Test
        void isFreshUpToMaxAgeAndStaleAfter() {
            assertThat(stats.isFresh(T0, maxAge)).isTrue();
            assertThat(stats.isFresh(T0 + maxAge.toNanos(), maxAge)).isTrue();
            assertThat(stats.isFresh(T0 + maxAge.toNanos() + 1, maxAge)).isFalse();
        }

        @Test
        void survivesNanoTimeWrapAround() {
            EngineStats nearWrap = EngineStats.from(List.of(), Long.MAX_VALUE - 10);
            assertThat(nearWrap.isFresh(Long.MIN_VALUE + 10, Duration.ofNanos(21))).isTrue();
            assertThat(nearWrap.isFresh(Long.MIN_VALUE + 10, Duration.ofNanos(20))).isFalse();
        }

        @Test
        void aDurationBeyondNanosNeverGoesStale() {
            assertThat(stats.isFresh(T0 + Long.MAX_VALUE / 2, Duration.ofDays(Long.MAX_VALUE / 86_400 / 2)))
                    .isTrue();
        }

        @Test
        void rejectsANegativeMaxAge() {
            assertThatThrownBy(() -> stats.isFresh(T0, Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAge");
        }
    }

    @Test
    void movingTokenCountersAreProgress() {
        EngineStats first = EngineStats.from(samples("vllm:prompt_tokens_total{model_name=\"m\"} 100\n"
                + "vllm:generation_tokens_total{model_name=\"m\"} 7\n"), T0);
        EngineStats same = EngineStats.from(samples("vllm:prompt_tokens_total{model_name=\"m\"} 100\n"
                + "vllm:generation_tokens_total{model_name=\"m\"} 7\n"), first, T0 + SCRAPE_INTERVAL);
        EngineStats moved = EngineStats.from(samples("vllm:prompt_tokens_total{model_name=\"m\"} 100\n"
                + "vllm:generation_tokens_total{model_name=\"m\"} 9\n"), same, T0 + 2 * SCRAPE_INTERVAL);
        EngineStats silent = EngineStats.from(samples("vllm:num_requests_running{model_name=\"m\"} 1\n"), moved,
                T0 + 3 * SCRAPE_INTERVAL);
        assertThat(same.processedTokensSince(first)).isFalse();
        assertThat(moved.processedTokensSince(same)).isTrue();
        assertThat(silent.processedTokensSince(moved)).as("no counters: no evidence of progress").isFalse();
    }
}
