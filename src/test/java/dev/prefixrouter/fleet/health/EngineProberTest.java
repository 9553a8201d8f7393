package dev.prefixrouter.fleet.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.EngineSpec;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetProperties;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.FixedLatencyModel;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Health and model discovery, probe by probe. */
class EngineProberTest {

    private final Fleet fleet = new Fleet(new FleetProperties(List.of()));
    private final EngineProber prober = new EngineProber(fleet,
            new HealthCheckProperties(Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofHours(1), 3,
                    Duration.ofSeconds(10)),
            JsonMapper.builder().build());
    private final EngineSimulator simulator = EngineSimulator.start(EngineSimulator.Settings.loopback("m"),
            new FixedLatencyModel(Duration.ZERO, Duration.ZERO));

    @AfterEach
    void stop() {
        simulator.close();
        prober.stop();
    }

    private void probe(Engine engine) {
        prober.probeHealth(engine).block(Duration.ofSeconds(5));
    }

    @Test
    void firstSuccessfulProbeLearnsModelsAndAdmits() {
        Engine engine = fleet.add(new EngineSpec("e", URI.create(simulator.baseUrl()), List.of(), null));
        assertThat(engine.healthy()).isFalse();
        probe(engine);
        assertThat(engine.healthy()).isTrue();
        assertThat(engine.models()).containsExactly("m");
    }

    @Test
    void engineLeavesRotationOnlyAfterConsecutiveFailuresAndReturnsOnOneSuccess() {
        Engine engine = fleet.add(new EngineSpec("e", URI.create(simulator.baseUrl()), List.of("m"), null));
        probe(engine);
        assertThat(engine.healthy()).isTrue();
        Engine unreachable = fleet.add(new EngineSpec("gone", URI.create("http://127.0.0.1:1"), List.of("m"),
                null));
        unreachable.healthy(true);
        probe(unreachable);
        probe(unreachable);
        assertThat(unreachable.healthy()).as("two failures are tolerated").isTrue();
        probe(unreachable);
        assertThat(unreachable.healthy()).as("the third one in a row is not").isFalse();
    }

    @Test
    void successResetsTheFailureCount() {
        Engine engine = fleet.add(new EngineSpec("e", URI.create(simulator.baseUrl()), List.of("m"), null));
        probe(engine);
        engine.probeFailed();
        engine.probeFailed();
        probe(engine);
        assertThat(engine.probeFailed()).isEqualTo(1);
    }
}
