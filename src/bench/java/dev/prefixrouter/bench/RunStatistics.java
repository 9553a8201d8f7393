package dev.prefixrouter.bench;

import dev.prefixrouter.prometheus.Sample;
import dev.prefixrouter.sim.KvCacheModelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Turns one run's raw request results, engine counters and index samples into a {@link RunResult}. */
final class RunStatistics {

    private RunStatistics() {
    }

    /** Everything a run leaves behind, before summarising. */
    record Raw(String regime, PolicyUnderTest policy, int numGpuBlocks, long budgetBytes,
            List<RequestResult> results, EngineCounters enginesAtWarmup, EngineCounters enginesAtEnd,
            List<IndexSampler.Sample> index, long originNanos, long usersStarted, double realSeconds,
            long gcPauseMillis) {

        boolean external() {
            return regime.equals("external");
        }
    }

    static RunResult summarize(BenchParameters parameters, Raw raw) {
        double scale = parameters.timeScale();
        List<RequestResult> measured = raw.results().stream()
                .filter(r -> (r.startNanos() - raw.originNanos()) / 1e9 * scale >= parameters.warmupSeconds())
                .toList();
        List<RequestResult> ok = measured.stream().filter(RequestResult::ok).toList();
        double[] ttft = ok.stream().mapToDouble(r -> seconds(r.firstTokenNanos() - r.startNanos(), scale))
                .sorted().toArray();
        double[] e2e = ok.stream().mapToDouble(r -> seconds(r.endNanos() - r.startNanos(), scale)).sorted()
                .toArray();
        long streamingNanos = 0;
        long gaps = 0;
        long cached = 0;
        long prompt = 0;
        long outputTokens = 0;
        for (RequestResult r : ok) {
            if (r.outputTokens() > 1) {
                streamingNanos += r.lastTokenNanos() - r.firstTokenNanos();
                gaps += r.outputTokens() - 1;
            }
            cached += r.cachedTokens();
            prompt += r.promptTokens();
            outputTokens += r.outputTokens();
        }
        List<Double> quantiles = new ArrayList<>();
        for (int q = 0; q <= 100; q++) {
            quantiles.add(percentile(ttft, q / 100.0));
        }
        long peak = raw.index().stream().mapToLong(IndexSampler.Sample::accountedBytes).max().orElse(0);
        IndexSampler.Sample last = raw.index().isEmpty() ? null : raw.index().get(raw.index().size() - 1);
        EngineCounters engines = raw.enginesAtEnd().minus(raw.enginesAtWarmup());
        double window = parameters.durationSeconds() - parameters.warmupSeconds();
        double prefillLoad = (engines.queries() - engines.hits())
                / (parameters.engines() * KvCacheModelConfig.DEFAULT_PREFILL_TOKENS_PER_SECOND * window);
        List<String> errorSamples = measured.stream().filter(r -> !r.ok()).map(RequestResult::error).distinct()
                .limit(5).toList();
        return new RunResult(raw.regime(), raw.policy().label(), raw.numGpuBlocks(), raw.budgetBytes(),
                measured.size(), measured.size() - ok.size(),
                measured.isEmpty() ? Double.NaN : ok.size() / (double) measured.size(),
                percentile(ttft, 0.5), percentile(ttft, 0.9), percentile(ttft, 0.99),
                Arrays.stream(ttft).average().orElse(Double.NaN),
                gaps == 0 ? Double.NaN : seconds(streamingNanos, scale) / gaps,
                percentile(e2e, 0.5), percentile(e2e, 0.9),
                outputTokens / window, engines.hitRate(), prompt == 0 ? Double.NaN : cached / (double) prompt,
                raw.external() ? Double.NaN : prefillLoad,
                peak, last == null ? 0 : last.evictedNodes(), last == null ? 0 : last.capacityDropped(),
                raw.usersStarted(), raw.realSeconds(), raw.gcPauseMillis(), quantiles, raw.index(), errorSamples);
    }

    /** Nearest-rank percentile of sorted values, NaN when there are none. */
    static double percentile(double[] sorted, double quantile) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(quantile * sorted.length);
        return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
    }

    private static double seconds(long nanos, double scale) {
        return nanos / 1e9 * scale;
    }
}
