package dev.prefixrouter.bench;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The reference the prefix-aware router is measured against: before each request, asks every engine how many of
 * its prompt tokens it holds ({@code POST /debug/prefix-cache}, which does not touch the cache) and sends the
 * request straight to the one holding most; ties go to the engine with the fewest requests in flight from this
 * benchmark, further ties in turn. It knows the engines' caches exactly, which no router does, but it ignores
 * queueing beyond that tie-break: its hit rate is the ceiling, its latency is not.
 */
final class OracleTarget implements ChatTarget {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ChatClient client;
    private final List<String> engines;
    private final AtomicIntegerArray inFlight;
    private final AtomicInteger turn = new AtomicInteger();

    OracleTarget(ChatClient client, List<String> engineUrls) {
        this.client = client;
        this.engines = List.copyOf(engineUrls);
        this.inFlight = new AtomicIntegerArray(engines.size());
    }

    @Override
    public Mono<RequestResult> send(long user, int round, String body, long startNanos) {
        return Flux.range(0, engines.size())
                .flatMapSequential(i -> client.post(engines.get(i) + "/debug/prefix-cache", body)
                        .map(text -> JSON.readTree(text).path("cached_tokens").asInt(0)))
                .collectList()
                .flatMap(cached -> {
                    int chosen = choose(cached);
                    inFlight.incrementAndGet(chosen);
                    return client.stream(engines.get(chosen) + "/v1/chat/completions", null, body, user, round,
                                    startNanos)
                            .doFinally(signal -> inFlight.decrementAndGet(chosen));
                })
                .onErrorResume(error -> Mono.just(RequestResult.failed(user, round, startNanos,
                        "oracle probe failed: " + error.getMessage())));
    }

    private int choose(List<Integer> cached) {
        int size = engines.size();
        int start = Math.floorMod(turn.getAndIncrement(), size);
        int best = -1;
        for (int k = 0; k < size; k++) {
            int i = (start + k) % size;
            if (best < 0 || cached.get(i) > cached.get(best)
                    || (cached.get(i).equals(cached.get(best)) && inFlight.get(i) < inFlight.get(best))) {
                best = i;
            }
        }
        return best;
    }
}
