package dev.prefixrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.admission.AdmissionControl;
import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * An engine whose connection pool is full is passed over for the next ranked one, and when every pool is full the
 * client gets the router's overload answer: the router's own saturation, never an engine fault.
 */
@RouterTest(properties = {"router.routing.policy=session", "router.proxy.max-connections-per-backend=1",
        "router.proxy.max-pending-acquires=0", "router.outlier-ejection.consecutive-failures=1"})
class PoolSaturationTest {

    static final SimulatedFleet fleet = new SimulatedFleet();

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        fleet.start("m", Duration.ZERO, Duration.ofMillis(300)); // 10 tokens: each stream holds its connection 3 s
        fleet.start("m", Duration.ZERO, Duration.ofMillis(300));
        fleet.register(registry);
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
    AdmissionControl admission;

    private CompletableFuture<ResponseEntity<String>> stream() {
        return WebClient.create("http://127.0.0.1:" + port).post().uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON).header("x-session-id", "one-session")
                .bodyValue(Http.chat("m", "hello", true, 10))
                .exchangeToMono(response -> response.toEntity(String.class)).toFuture();
    }

    @Test
    void aFullPoolSendsTheRequestToTheNextEngineThenGets503AndEjectsNobody() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 2);
        CompletableFuture<ResponseEntity<String>> first = stream();
        await().atMost(Duration.ofSeconds(5)).until(() -> active() == 1);
        CompletableFuture<ResponseEntity<String>> second = stream(); // same ranking: first choice is busy
        await().atMost(Duration.ofSeconds(5)).until(() -> active() == 2);
        assertThat(fleet.engines()).allSatisfy(engine -> assertThat(engine.activeRequests()).isEqualTo(1));

        ResponseEntity<String> third = stream().get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(third.getStatusCode().value()).isEqualTo(503);
        assertThat(third.getHeaders().getFirst("Retry-After")).isNotNull();
        assertThat(third.getBody()).contains("\"code\":\"overloaded\"", "connections busy");
        assertThat(admission.usage().rejected()).containsEntry("engine_pools", 1L);

        assertThat(first.get(10, java.util.concurrent.TimeUnit.SECONDS).getBody()).endsWith("[DONE]\n\n");
        assertThat(second.get(10, java.util.concurrent.TimeUnit.SECONDS).getBody()).endsWith("[DONE]\n\n");
        long now = System.nanoTime();
        for (Engine engine : routerFleet.engines()) {
            assertThat(engine.inRotation(now)).as(engine.id()).isTrue();
            assertThat(engine.outlierState().ejections()).as(engine.id()).isZero();
            assertThat(engine.outlierState().consecutiveFailures()).as(engine.id()).isZero();
        }
    }

    private int active() {
        return fleet.engines().stream().mapToInt(EngineSimulator::activeRequests).sum();
    }
}
