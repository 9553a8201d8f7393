package dev.prefixrouter.fleet.ejection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.Fault;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * An engine whose /health is fine but which fails every request leaves rotation, is visible as ejected in
 * /actuator/backends, and comes back on probation once the ejection ends.
 */
@RouterTest(properties = {"router.routing.policy=round-robin", "router.outlier-ejection.consecutive-failures=3",
        "router.outlier-ejection.base-ejection-time=10m", "router.outlier-ejection.max-ejection-time=1h"})
class OutlierEjectionTest {

    private static final SimulatedFleet fleet = new SimulatedFleet();

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        fleet.start("m", Duration.ZERO, Duration.ZERO);
        fleet.start("m", Duration.ZERO, Duration.ZERO);
        fleet.register(registry);
        registry.add("router.health-check.interval", () -> "1h");
    }

    @AfterAll
    static void stopEngines() {
        fleet.close();
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    Fleet routerFleet;

    private void complete(int i) {
        Http.client(port).post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"m\",\"prompt\":\"p" + i + "\",\"max_tokens\":1}")
                .exchange().expectStatus().isOk();
    }

    @Test
    void failingEngineIsEjectedThenReadmittedOnProbation() {
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 2);
        EngineSimulator failing = fleet.get(0);
        Engine failingEngine = routerFleet.find("engine-0").orElseThrow();
        failing.fault(Fault.UNAVAILABLE);

        // Round-robin puts engine-0 first every other request; each 503 is retried on engine-1.
        for (int i = 0; i < 6; i++) {
            complete(i);
        }
        assertThat(failing.requestsReceived()).isEqualTo(3);
        assertThat(failingEngine.inRotation(System.nanoTime())).isFalse();
        Http.client(managementPort).get().uri("/actuator/backends").exchange().expectStatus().isOk()
                .expectBody()
                .jsonPath("$[0].id").isEqualTo("engine-0")
                .jsonPath("$[0].healthy").isEqualTo(true)
                .jsonPath("$[0].inRotation").isEqualTo(false)
                .jsonPath("$[0].ejection.ejected").isEqualTo(true)
                .jsonPath("$[0].ejection.ejections").isEqualTo(1)
                .jsonPath("$[1].inRotation").isEqualTo(true);

        for (int i = 0; i < 4; i++) {
            complete(100 + i);
        }
        assertThat(failing.requestsReceived()).as("ejected: not tried").isEqualTo(3);

        // Let the ejection run out without waiting ten minutes: move its start into the past.
        failing.fault(Fault.NONE);
        failingEngine.outlierState().eject(System.nanoTime() - Duration.ofHours(2).toNanos(),
                Duration.ofMinutes(10), Duration.ofHours(1));
        assertThat(failingEngine.inRotation(System.nanoTime())).isTrue();
        for (int i = 0; i < 4; i++) {
            complete(200 + i);
        }
        assertThat(failing.requestsCompleted()).as("back on probation, and serving").isPositive();
        assertThat(failingEngine.outlierState().ejections()).isZero();
    }
}
