package dev.prefixrouter.bench;

import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The engines' prefix-cache counters, summed over the fleet: {@code vllm:prefix_cache_queries_total} and
 * {@code vllm:prefix_cache_hits_total}, both in tokens, read from each engine's {@code /metrics}. The hit rate of a
 * run is the ratio of their increases over the measured window.
 */
record EngineCounters(double queries, double hits) {

    static final EngineCounters NONE = new EngineCounters(0, 0);

    static Mono<EngineCounters> scrape(ChatClient client, List<String> engineUrls) {
        return Flux.fromIterable(engineUrls)
                .flatMap(url -> client.get(url + "/metrics").map(EngineCounters::parse))
                .reduce(NONE, EngineCounters::plus);
    }

    static EngineCounters parse(String metrics) {
        return new EngineCounters(sum(metrics, "vllm:prefix_cache_queries_total"),
                sum(metrics, "vllm:prefix_cache_hits_total"));
    }

    EngineCounters plus(EngineCounters other) {
        return new EngineCounters(queries + other.queries, hits + other.hits);
    }

    EngineCounters minus(EngineCounters earlier) {
        return new EngineCounters(queries - earlier.queries, hits - earlier.hits);
    }

    /** Hit tokens over queried tokens, or NaN when nothing was queried. */
    double hitRate() {
        return queries > 0 ? hits / queries : Double.NaN;
    }

    private static double sum(String metrics, String name) {
        return metrics.lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
