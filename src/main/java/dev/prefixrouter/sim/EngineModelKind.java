package dev.prefixrouter.sim;

import java.time.Duration;

/** The engine behaviours a simulated engine can have, and how to build each. */
public enum EngineModelKind {
    /** Fixed time to first token and inter-token latency ({@link FixedLatencyModel}). */
    FIXED,
    /** vLLM-like paged KV cache with prefix caching and continuous batching ({@link KvCacheEngineModel}). */
    KV_CACHE;

    /**
     * @param ttft         time to first token, for {@link #FIXED}
     * @param itl          inter-token latency, for {@link #FIXED}
     * @param numGpuBlocks KV cache capacity in blocks of 16 tokens, for {@link #KV_CACHE}
     * @param timeScale    how much faster than real time the engine runs, for {@link #KV_CACHE}
     */
    public EngineModel create(Duration ttft, Duration itl, int numGpuBlocks, double timeScale) {
        return create(ttft, itl, numGpuBlocks, timeScale, null);
    }

    /** @param kvEvents where a {@link #KV_CACHE} engine publishes its KV-cache events, or {@code null}: none */
    public EngineModel create(Duration ttft, Duration itl, int numGpuBlocks, double timeScale,
            KvEventsConfig kvEvents) {
        return switch (this) {
            case FIXED -> new FixedLatencyModel(ttft, itl);
            case KV_CACHE -> {
                KvCacheModelConfig config = KvCacheModelConfig.defaults().withNumGpuBlocks(numGpuBlocks)
                        .withTimeScale(timeScale);
                yield kvEvents == null ? new KvCacheEngineModel(config) : new KvCacheEngineModel(config, kvEvents);
            }
        };
    }
}
