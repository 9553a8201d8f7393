package dev.prefixrouter.bench;

import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.KvCacheEngineModel;
import dev.prefixrouter.sim.KvCacheModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * K fresh simulated engines on loopback (the {@code kv-cache} model: vLLM-like paged KV cache with prefix caching,
 * continuous batching), each with {@code numGpuBlocks} blocks and the run's time scale. A fresh fleet per run, so
 * every policy starts with cold caches.
 */
final class EngineFleet implements AutoCloseable {

    private final List<EngineSimulator> engines = new ArrayList<>();

    EngineFleet(BenchParameters parameters, int numGpuBlocks) {
        KvCacheModelConfig config = KvCacheModelConfig.defaults().withNumGpuBlocks(numGpuBlocks)
                .withTimeScale(parameters.timeScale());
        try {
            for (int i = 0; i < parameters.engines(); i++) {
                engines.add(EngineSimulator.start(new EngineSimulator.Settings("127.0.0.1", 0, parameters.model(),
                        parameters.answerTokensMax()), new KvCacheEngineModel(config)));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    List<String> urls() {
        return engines.stream().map(EngineSimulator::baseUrl).toList();
    }

    @Override
    public void close() {
        engines.forEach(EngineSimulator::close);
        engines.clear();
    }
}
