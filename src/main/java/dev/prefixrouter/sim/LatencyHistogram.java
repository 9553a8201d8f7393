package dev.prefixrouter.sim;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * A Prometheus histogram with fixed upper bounds ({@code le}), written by the step thread and read by scrapes on
 * any thread without locks. A scrape builds the cumulative counts and the total from one pass over the bucket
 * counters, so {@code _count} always equals the {@code +Inf} bucket; {@code _sum} may trail by an observation
 * made during the scrape.
 */
final class LatencyHistogram {

    /** vLLM's bounds for time to first token ("prefill latency"): 1 ms to 2560 s. */
    static final double[] TIME_TO_FIRST_TOKEN_BOUNDS = {
        0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0,
        80.0, 160.0, 640.0, 2560.0};

    /** vLLM's bounds for per-token latencies ("token step latency"): 10 ms to 80 s. */
    static final double[] INTER_TOKEN_LATENCY_BOUNDS = {
        0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0};

    /** vLLM's bounds for whole-request phases such as e2e and queue time: 100 ms to 7680 s. */
    static final double[] REQUEST_PHASE_BOUNDS = {
        0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0,
        480.0, 960.0, 1920.0, 7680.0};

    private final double[] bounds;
    private final AtomicLongArray counts; // per bucket, not cumulative; the last slot is +Inf
    private final DoubleAdder sum = new DoubleAdder();

    LatencyHistogram(double[] bounds) {
        this.bounds = bounds.clone();
        this.counts = new AtomicLongArray(bounds.length + 1);
    }

    void observe(double seconds) {
        int bucket = 0;
        while (bucket < bounds.length && seconds > bounds[bucket]) {
            bucket++;
        }
        counts.incrementAndGet(bucket);
        sum.add(seconds);
    }

    Snapshot snapshot() {
        long[] cumulative = new long[counts.length()];
        long running = 0;
        for (int i = 0; i < cumulative.length; i++) {
            running += counts.get(i);
            cumulative[i] = running;
        }
        return new Snapshot(bounds.clone(), cumulative, sum.sum());
    }

    /**
     * @param bounds     the finite upper bounds
     * @param cumulative observations at or below each bound, then the total ({@code +Inf})
     * @param sum        the sum of all observations
     */
    record Snapshot(double[] bounds, long[] cumulative, double sum) {

        long count() {
            return cumulative[cumulative.length - 1];
        }
    }
}
