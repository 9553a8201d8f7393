package dev.prefixrouter.support;

import dev.prefixrouter.sim.EngineModel;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.FixedLatencyModel;
import dev.prefixrouter.sim.KvEventsConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.test.context.DynamicPropertyRegistry;

/** Simulated engines on loopback for a test class, and the properties that point the router at them. */
public final class SimulatedFleet implements AutoCloseable {

    private final List<EngineSimulator> engines = new ArrayList<>();

    public EngineSimulator start(String model, Duration ttft, Duration itl) {
        return start(model, new FixedLatencyModel(ttft, itl));
    }

    public EngineSimulator start(String model, EngineModel engineModel) {
        EngineSimulator engine = EngineSimulator.start(EngineSimulator.Settings.loopback(model), engineModel);
        engines.add(engine);
        return engine;
    }

    public EngineSimulator get(int index) {
        return engines.get(index);
    }

    public List<EngineSimulator> engines() {
        return engines;
    }

    /**
     * Registers each engine as backend {@code engine-<index>}, with models learnt from its /v1/models, and, for an
     * engine that publishes KV-cache events, its PUB and replay endpoints (used once {@code router.kv-events.enabled}).
     */
    public void register(DynamicPropertyRegistry registry) {
        for (int i = 0; i < engines.size(); i++) {
            EngineSimulator engine = engines.get(i);
            String id = "engine-" + i;
            registry.add("router.backends[" + i + "].id", () -> id);
            registry.add("router.backends[" + i + "].url", engine::baseUrl);
            KvEventsConfig events = engine.kvEvents();
            if (events != null) {
                registry.add("router.kv-events.endpoints[" + id + "]", events::endpoint);
                if (events.replayPort() != 0) {
                    registry.add("router.kv-events.replay-endpoints[" + id + "]", events::replayEndpoint);
                }
            }
        }
        fastHealthChecks(registry);
    }

    /** The actuator on a free port and engines probed every 200 ms, for routers whose fleet comes from elsewhere. */
    public static void fastHealthChecks(DynamicPropertyRegistry registry) {
        registry.add("management.server.port", () -> "0");
        registry.add("router.health-check.interval", () -> "200ms");
    }

    @Override
    public void close() {
        engines.forEach(EngineSimulator::close);
        engines.clear();
    }
}
