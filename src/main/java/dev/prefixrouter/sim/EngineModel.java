package dev.prefixrouter.sim;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What a simulated engine does with a generation request: when each token comes out. The HTTP layer
 * ({@link EngineSimulator}) turns the events into OpenAI/vLLM response bodies; the model decides the timing
 * (queueing, prefill, decode) and keeps whatever state it needs (KV cache, batch).
 */
public interface EngineModel extends AutoCloseable {

    /**
     * Generates {@code request.maxTokens()} tokens. The first event arrives after the time to first token, the
     * rest at the inter-token latency; the flux then completes. Cancelling the subscription (the client went
     * away) releases everything the request held.
     */
    Flux<TokenEvent> generate(SimRequest request);

    /**
     * Why this engine cannot serve the request at all (e.g. it needs more KV cache than the engine has), or
     * {@code null} when it can. The HTTP layer answers 400 with the reason, as vLLM does.
     */
    default String rejection(SimRequest request) {
        return null;
    }

    /** How many leading prompt tokens this engine holds in its cache now, without touching the cache. */
    default int cachedPrefixTokens(String prompt) {
        return 0;
    }

    /** The engine's metrics in Prometheus text exposition format, or {@code null} when the model exports none. */
    default String metricsText(String modelName) {
        return null;
    }

    /** Drops the prefix cache (vLLM's {@code POST /reset_prefix_cache}); nothing to do for a model without one. */
    default Mono<Void> resetPrefixCache() {
        return Mono.empty();
    }

    @Override
    default void close() {
    }
}
