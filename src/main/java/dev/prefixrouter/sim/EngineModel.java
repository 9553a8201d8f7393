package dev.prefixrouter.sim;

import reactor.core.publisher.Flux;

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

    /** How many leading prompt tokens this engine holds in its cache now, without touching the cache. */
    default int cachedPrefixTokens(String prompt) {
        return 0;
    }

    /** The engine's metrics in Prometheus text exposition format, or {@code null} when the model exports none. */
    default String metricsText(String modelName) {
        return null;
    }

    @Override
    default void close() {
    }
}
