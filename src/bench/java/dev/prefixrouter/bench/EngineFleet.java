package dev.prefixrouter.bench;

import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.KvCacheEngineModel;
import dev.prefixrouter.sim.KvCacheModelConfig;
import dev.prefixrouter.sim.KvEventsConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * K fresh simulated engines on loopback (the {@code kv-cache} model: vLLM-like paged KV cache with prefix caching,
 * continuous batching), each with {@code numGpuBlocks} blocks and the run's time scale. A fresh fleet per run, so
 * every policy starts with cold caches.
 */
final class EngineFleet implements AutoCloseable {

    private final List<EngineSimulator> engines = new ArrayList<>();

    private final List<KvEventsConfig> kvEvents = new ArrayList<>();

    /** Engines that publish their KV-cache events when {@code publishKvEvents}, each on two free loopback ports. */
    EngineFleet(BenchParameters parameters, int numGpuBlocks, boolean publishKvEvents) {
        KvCacheModelConfig config = KvCacheModelConfig.defaults().withNumGpuBlocks(numGpuBlocks)
                .withTimeScale(parameters.timeScale());
        try {
            for (int i = 0; i < parameters.engines(); i++) {
                KvEventsConfig events = publishKvEvents ? KvEventsConfig.loopback() : null;
                engines.add(EngineSimulator.start(new EngineSimulator.Settings("127.0.0.1", 0, parameters.model(),
                        parameters.answerTokensMax()), events == null ? new KvCacheEngineModel(config)
                                : new KvCacheEngineModel(config, events)));
                if (events != null) {
                    kvEvents.add(events);
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The router properties that subscribe to these engines' events ({@code engine-<i>} as the router names them). */
    List<String> kvEventsArguments() {
        List<String> args = new ArrayList<>();
        if (!kvEvents.isEmpty()) {
            args.add("--router.kv-events.enabled=true");
        }
        for (int i = 0; i < kvEvents.size(); i++) {
            args.add("--router.kv-events.endpoints[engine-" + i + "]=tcp://127.0.0.1:" + kvEvents.get(i).port());
            args.add("--router.kv-events.replay-endpoints[engine-" + i + "]=tcp://127.0.0.1:"
                    + kvEvents.get(i).replayPort());
        }
        return args;
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
