package dev.prefixrouter.bench;

import dev.prefixrouter.prometheus.Sample;
import java.util.List;

/**
 * What one (regime, policy) run measured, over the requests started after the warm-up. Latencies are engine
 * seconds (real time × time scale: what an unscaled deployment would see). NaN where a figure does not apply.
 *
 * @param regime           {@code roomy}, {@code pressured} or {@code external}
 * @param policy           {@link PolicyUnderTest#label()}
 * @param numGpuBlocks     KV-cache blocks per engine
 * @param budgetBytes      the router's index budget, or 0 without a router
 * @param requests         measured requests
 * @param errors           measured requests that failed
 * @param availability     share of measured requests that succeeded
 * @param ttftP50          time to first token, median
 * @param ttftP90          90th percentile
 * @param ttftP99          99th percentile
 * @param ttftMean         mean
 * @param itlMean          inter-token latency: time between first and last token over tokens after the first
 * @param e2eP50           request start to end of stream, median
 * @param e2eP90           90th percentile
 * @param outputTokensPerSecond output tokens of measured requests per engine second of the measured window
 * @param engineHitRate    prefix-cache hit tokens / queried tokens, from the engines' vLLM counters
 * @param clientCachedRate cached prompt tokens / prompt tokens, from the usage chunks the client received
 * @param prefillLoad      prompt tokens the engines computed (queried − hit) over what the fleet can prefill in
 *                         the measured window ({@code engines × prefill tokens per second × window})
 * @param indexPeakBytes   the router index's largest accounted size seen
 * @param indexEvictedNodes nodes the router evicted from its index for memory
 * @param indexCapacityDropped engine credits the index dropped because an engine's KV capacity was exceeded
 * @param usersStarted     users that began a conversation during the run
 * @param realSeconds      wall-clock length of the run, start-up excluded
 * @param gcPauseMillis    real milliseconds this JVM spent in garbage collection during the run (its pauses,
 *                         like any host stall, show up time-scale times longer in the engine-time latencies)
 * @param ttftQuantiles    TTFT at quantiles 0, 0.01, …, 1 (101 values), for the distribution chart
 * @param index            the router index over time
 * @param errorSamples     up to five distinct error messages
 */
public record RunResult(String regime, String policy, int numGpuBlocks, long budgetBytes, int requests, int errors,
        double availability, double ttftP50, double ttftP90, double ttftP99, double ttftMean, double itlMean,
        double e2eP50, double e2eP90, double outputTokensPerSecond, double engineHitRate, double clientCachedRate, double prefillLoad,
        long indexPeakBytes, long indexEvictedNodes, long indexCapacityDropped, long usersStarted,
        double realSeconds, long gcPauseMillis, List<Double> ttftQuantiles, List<IndexSampler.Sample> index,
        List<String> errorSamples) {

    /** Whether this run routed by the prefix index (so its index figures mean something). */
    public boolean indexed() {
        return (policy.startsWith("prefix-aware") || policy.equals("precise")) && !index.isEmpty();
    }
}
