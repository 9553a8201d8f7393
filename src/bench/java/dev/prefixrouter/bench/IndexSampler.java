package dev.prefixrouter.bench;

import dev.prefixrouter.prometheus.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongFunction;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the router's prefix index ({@code GET /actuator/hashtrie}) every {@code period} of real time while a run
 * goes on: its accounted bytes against its budget, its nodes, and its evictions so far. One sample at a time; a
 * failed read is skipped (the next one comes soon).
 */
final class IndexSampler implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * @param engineSeconds    when, in engine seconds since the run began
     * @param accountedBytes   the index's size as accounted against its budget
     * @param budgetBytes      {@code router.hashtrie.max-memory}
     * @param nodes            indexed chunks
     * @param evictedNodes     nodes evicted for memory so far
     * @param capacityDropped  engine credits dropped so far because an engine's KV capacity was exceeded
     */
    record Sample(double engineSeconds, long accountedBytes, long budgetBytes, long nodes, long evictedNodes,
            long capacityDropped) {
    }

    private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final Disposable polling;

    IndexSampler(ChatClient client, String managementUrl, Duration period, LongFunction<Double> engineSeconds) {
        String url = managementUrl + "/actuator/hashtrie";
        polling = Flux.interval(Duration.ZERO, period)
                .onBackpressureDrop()
                .concatMap(tick -> client.get(url)
                        .map(text -> parse(JSON.readTree(text), engineSeconds.apply(System.nanoTime())))
                        .onErrorResume(error -> Mono.empty()), 1)
                .subscribe(samples::add);
    }

    private static Sample parse(JsonNode view, double when) {
        JsonNode evictions = view.path("evictions");
        return new Sample(when, view.path("accountedBytes").asLong(), view.path("budgetBytes").asLong(),
                view.path("nodes").asLong(), evictions.path("nodes").asLong(),
                evictions.path("capacityDroppedCredits").asLong());
    }

    /** The latest accounted size, or 0 before the first sample. */
    long latestBytes() {
        Sample latest = null;
        for (Sample sample : samples) {
            latest = sample;
        }
        return latest == null ? 0 : latest.accountedBytes();
    }

    /** Takes one last sample now, stops, and returns them all in order. */
    List<Sample> finish(ChatClient client, String managementUrl, LongFunction<Double> engineSeconds) {
        polling.dispose();
        Sample last = client.get(managementUrl + "/actuator/hashtrie")
                .map(text -> parse(JSON.readTree(text), engineSeconds.apply(System.nanoTime())))
                .block(Duration.ofSeconds(10));
        List<Sample> all = new ArrayList<>(samples);
        if (last != null) {
            all.add(last);
        }
        return all;
    }

    @Override
    public void close() {
        polling.dispose();
    }
}
