package dev.prefixrouter.demo;

import dev.prefixrouter.fleet.EngineSpec;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.sim.EngineSimulator;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import lombok.extern.slf4j.Slf4j;
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

    DemoFleet(DemoProperties properties, Fleet fleet) {
        this.properties = properties;
        this.fleet = fleet;
    }

    @Override
    public void start() {
        for (int i = 0; i < properties.engines(); i++) {
            EngineSimulator engine = EngineSimulator.start(
                    new EngineSimulator.Settings("127.0.0.1", 0, properties.model(), properties.maxTokens()),
                    properties.createModel());
            engines.add(engine);
            fleet.add(new EngineSpec("demo-" + i, URI.create(engine.baseUrl()), List.of(properties.model()),
                    null));
        }
        log.info("demo: {} simulated {} engines serving '{}' on {}", engines.size(), properties.engineModel(),
                properties.model(),
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
