package dev.prefixrouter.sim;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine's counters, gauges and latency histograms, with vLLM's meanings. Written only by the step thread,
 * read by scrapes on any thread: every field is atomic or volatile, so a scrape never takes a lock.
 *
 * <p>Latencies are engine time in seconds: real elapsed time multiplied by the time scale, so a run sped up ten
 * times reports what an unscaled engine would have reported.
 */
final class EngineMetrics {

    private volatile int running;
    private volatile int waiting;
    private volatile double kvCacheUsage;

    private final AtomicLong prefixCacheQueries = new AtomicLong();
    private final AtomicLong prefixCacheHits = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong generationTokens = new AtomicLong();
    private final AtomicLong preemptions = new AtomicLong();

    final LatencyHistogram timeToFirstToken = new LatencyHistogram(LatencyHistogram.TIME_TO_FIRST_TOKEN_BOUNDS);
    final LatencyHistogram interTokenLatency = new LatencyHistogram(LatencyHistogram.INTER_TOKEN_LATENCY_BOUNDS);
    final LatencyHistogram e2eRequestLatency = new LatencyHistogram(LatencyHistogram.REQUEST_PHASE_BOUNDS);
    final LatencyHistogram requestQueueTime = new LatencyHistogram(LatencyHistogram.REQUEST_PHASE_BOUNDS);

    void publishState(int runningRequests, int waitingRequests, double usage) {
        running = runningRequests;
        waiting = waitingRequests;
        kvCacheUsage = usage;
    }

    /** A request's first admission looked up {@code queriedTokens} tokens and found {@code hitTokens} cached. */
    void prefixCacheQueried(int queriedTokens, int hitTokens) {
        prefixCacheQueries.addAndGet(queriedTokens);
        prefixCacheHits.addAndGet(hitTokens);
    }

    /** A request produced its first token {@code ttftSeconds} after it arrived. */
    void firstToken(int requestPromptTokens, double ttftSeconds) {
        promptTokens.addAndGet(requestPromptTokens);
        generationTokens.incrementAndGet();
        timeToFirstToken.observe(ttftSeconds);
    }

    void nextToken(double interTokenSeconds) {
        generationTokens.incrementAndGet();
        interTokenLatency.observe(interTokenSeconds);
    }

    /** A request generated its last token; as vLLM, its queue time is recorded with its end-to-end latency. */
    void finished(double e2eSeconds, double queueSeconds) {
        e2eRequestLatency.observe(e2eSeconds);
        requestQueueTime.observe(queueSeconds);
    }

    void preempted() {
        preemptions.incrementAndGet();
    }

    int running() {
        return running;
    }

    int waiting() {
        return waiting;
    }

    double kvCacheUsage() {
        return kvCacheUsage;
    }

    long prefixCacheQueries() {
        return prefixCacheQueries.get();
    }

    long prefixCacheHits() {
        return prefixCacheHits.get();
    }

    long promptTokens() {
        return promptTokens.get();
    }

    long generationTokens() {
        return generationTokens.get();
    }

    /** Not exported (the exported set is fixed); for tests and logs. */
    long preemptions() {
        return preemptions.get();
    }
}
