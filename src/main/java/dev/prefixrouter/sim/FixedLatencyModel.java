package dev.prefixrouter.sim;

import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The simplest engine: every request gets its first token after a fixed time and the rest at a fixed pace, with no
 * cache and no batching effects. Enough for functional tests and the proxy-overhead benchmark.
 */
public final class FixedLatencyModel implements EngineModel {

    private final Duration timeToFirstToken;
    private final Duration interTokenLatency;

    public FixedLatencyModel(Duration timeToFirstToken, Duration interTokenLatency) {
        if (timeToFirstToken.isNegative() || interTokenLatency.isNegative()) {
            throw new IllegalArgumentException("latencies must not be negative");
        }
        this.timeToFirstToken = timeToFirstToken;
        this.interTokenLatency = interTokenLatency;
    }

    @Override
    public Flux<TokenEvent> generate(SimRequest request) {
        int promptTokens = request.promptTokens();
        Flux<Long> ticks = interTokenLatency.isZero()
                ? Flux.range(0, request.maxTokens()).map(Integer::longValue)
                : Flux.interval(Duration.ZERO, interTokenLatency).take(request.maxTokens()).onBackpressureBuffer();
        Flux<TokenEvent> tokens = ticks.map(index -> new TokenEvent(index.intValue(), promptTokens, 0));
        return timeToFirstToken.isZero() ? tokens : Mono.delay(timeToFirstToken).thenMany(tokens);
    }
}
