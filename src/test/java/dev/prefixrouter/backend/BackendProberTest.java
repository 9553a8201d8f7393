package dev.prefixrouter.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.FixedLatencyModel;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Health and model discovery, probe by probe. */
class BackendProberTest {

    private final BackendRegistry registry = new BackendRegistry(new FleetProperties(List.of()));
    private final BackendProber prober = new BackendProber(registry,
            new HealthCheckProperties(Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofHours(1), 3),
            JsonMapper.builder().build());
    private final EngineSimulator engine = EngineSimulator.start(EngineSimulator.Settings.loopback("m"),
            new FixedLatencyModel(Duration.ZERO, Duration.ZERO));

    @AfterEach
    void stop() {
        engine.close();
        prober.stop();
    }

    private void probe(Endpoint endpoint) {
        prober.probeHealth(endpoint).block(Duration.ofSeconds(5));
    }

    @Test
    void firstSuccessfulProbeLearnsModelsAndAdmits() {
        Endpoint endpoint = registry.add(new BackendSpec("e", URI.create(engine.baseUrl()), List.of(), null));
        assertThat(endpoint.healthy()).isFalse();
        probe(endpoint);
        assertThat(endpoint.healthy()).isTrue();
        assertThat(endpoint.models()).containsExactly("m");
    }

    @Test
    void engineLeavesRotationOnlyAfterConsecutiveFailuresAndReturnsOnOneSuccess() {
        Endpoint endpoint = registry.add(new BackendSpec("e", URI.create(engine.baseUrl()), List.of("m"), null));
        probe(endpoint);
        assertThat(endpoint.healthy()).isTrue();
        Endpoint unreachable = registry.add(new BackendSpec("gone", URI.create("http://127.0.0.1:1"), List.of("m"),
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
        Endpoint endpoint = registry.add(new BackendSpec("e", URI.create(engine.baseUrl()), List.of("m"), null));
        probe(endpoint);
        endpoint.probeFailed();
        endpoint.probeFailed();
        probe(endpoint);
        assertThat(endpoint.probeFailed()).isEqualTo(1);
    }
}
