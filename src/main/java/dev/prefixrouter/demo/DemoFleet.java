package dev.prefixrouter.demo;

import dev.prefixrouter.fleet.EngineSpec;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.sim.EngineModelKind;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.KvEventsConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import lombok.extern.slf4j.Slf4j;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The {@code demo} profile's engines: starts {@code router.demo.engines} simulated engines on free loopback ports
 * and adds them to the fleet as {@code demo-0}, {@code demo-1}, ...; stops them on shutdown.
 */
@Slf4j
@Component
@Profile("demo")
class DemoFleet implements SmartLifecycle {

    private final DemoProperties properties;
    private final Fleet fleet;
    private final List<EngineSimulator> engines = new ArrayList<>();
    private final boolean kvEvents;

    DemoFleet(DemoProperties properties, Fleet fleet,
            @Value("${router.kv-events.enabled:false}") boolean kvEvents) {
        this.properties = properties;
        this.fleet = fleet;
        this.kvEvents = kvEvents && properties.engineModel() == EngineModelKind.KV_CACHE;
    }

    /**
     * Starts the engines; with {@code router.kv-events.enabled} their KV caches publish events on free loopback
     * ports, announced to the router as discovery would (the engine's PUB and replay endpoints).
     */
    @Override
    public void start() {
        for (int i = 0; i < properties.engines(); i++) {
            KvEventsConfig events = kvEvents ? KvEventsConfig.loopback() : null;
            EngineSimulator engine = EngineSimulator.start(
                    new EngineSimulator.Settings("127.0.0.1", 0, properties.model(), properties.maxTokens()),
                    properties.createModel(events));
            engines.add(engine);
            fleet.add(new EngineSpec("demo-" + i, URI.create(engine.baseUrl()), List.of(properties.model()),
                    null, events == null ? null : events.endpoint() + "," + events.replayEndpoint()));
        }
        log.info("demo: {} simulated {} engines serving '{}'{} on {}", engines.size(), properties.engineModel(),
                properties.model(), kvEvents ? ", publishing KV-cache events," : "",
                engines.stream().map(EngineSimulator::baseUrl).toList());
    }

    @Override
    public void stop() {
        for (int i = 0; i < engines.size(); i++) {
            fleet.remove("demo-" + i);
            engines.get(i).close();
        }
        engines.clear();
    }

    @Override
    public boolean isRunning() {
        return !engines.isEmpty();
    }

    /** Start before the prober and the web server, so the first probe finds the engines listening. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 2048;
    }
}
