package dev.prefixrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.health.EngineProber;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.Fault;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * An engine that sends a stream's headers and then nothing holds requests and gives nothing back: it is stalled
 * after {@code stall-timeout}, out of rotation at once, the request waiting on it goes to the other engine, and a
 * successful probe brings it back.
 */
@RouterTest(properties = {"router.routing.policy=round-robin", "router.health-check.stall-timeout=1s"})
class StalledEngineTest {

    private static final SimulatedFleet fleet = new SimulatedFleet();
    private static EngineSimulator wedged;

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        wedged = fleet.start("m", Duration.ZERO, Duration.ofMillis(10));
        fleet.start("m", Duration.ZERO, Duration.ofMillis(10));
        fleet.register(registry);
        registry.add("router.health-check.interval", () -> "1h");
    }

    @AfterAll
    static void stopEngines() {
        fleet.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    Fleet routerFleet;

    @Autowired
    EngineProber prober;

    @Test
    void aStalledEngineLeavesRotationAtOnceAndItsWaitingRequestGoesElsewhere() {
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 2);
        wedged.fault(Fault.STALL_AFTER_HEADERS);
        long start = System.nanoTime();
        for (int i = 0; i < 2; i++) { // round-robin: one of the two goes to the wedged engine first
            String body = Http.client(port).post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Http.chat("m", "hello " + i, true, 5)).exchange().expectStatus().isOk()
                    .expectBody(String.class).returnResult().getResponseBody();
            assertThat(body).endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        assertThat(wedged.requestsReceived()).isEqualTo(1);
        Engine engine = routerFleet.engines().stream()
                .filter(e -> e.url().toString().equals(wedged.baseUrl())).findFirst().orElseThrow();
        assertThat(engine.stalled()).isTrue();
        assertThat(engine.inRotation(System.nanoTime())).as("out at once, its /health is still fine").isFalse();
        assertThat(engine.stalls()).isEqualTo(1);

        wedged.fault(Fault.NONE);
        prober.probeHealth(engine).block(Duration.ofSeconds(5));
        assertThat(engine.inRotation(System.nanoTime())).as("back after a successful probe").isTrue();
    }
}
