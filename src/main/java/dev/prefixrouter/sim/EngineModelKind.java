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
        return switch (this) {
            case FIXED -> new FixedLatencyModel(ttft, itl);
            case KV_CACHE -> new KvCacheEngineModel(KvCacheModelConfig.defaults()
                    .withNumGpuBlocks(numGpuBlocks).withTimeScale(timeScale));
        };
    }
}
