package dev.prefixrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.Fault;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Engines that refuse, overload, hang or die. Health checks run once at start (interval of an hour), so the
 * router still believes in engines that the test has broken: only the proxy's own handling is at work.
 */
@RouterTest(properties = {"router.routing.policy=round-robin", "router.proxy.response-timeout=1s",
        "router.proxy.non-streaming-timeout=1s", "router.proxy.idle-timeout=500ms", "router.proxy.max-attempts=3"})
class UpstreamFailureTest {

    private static final Duration FAST = Duration.ofMillis(1);
    private static final SimulatedFleet fleet = new SimulatedFleet();
    private static EngineSimulator deadSolo;
    private static EngineSimulator deadOfPair;
    private static EngineSimulator liveOfPair;
    private static EngineSimulator busyOfPair;
    private static EngineSimulator freeOfPair;
    private static EngineSimulator busySolo;
    private static EngineSimulator hung;
    private static EngineSimulator dying;
    private static EngineSimulator stalling;

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        deadSolo = fleet.start("dead-solo", FAST, FAST);
        deadOfPair = fleet.start("dead-pair", FAST, FAST);
        liveOfPair = fleet.start("dead-pair", FAST, FAST);
        busyOfPair = fleet.start("busy-pair", FAST, FAST);
        freeOfPair = fleet.start("busy-pair", FAST, FAST);
        busySolo = fleet.start("busy-solo", FAST, FAST);
        hung = fleet.start("hang", FAST, FAST);
        dying = fleet.start("dying", FAST, Duration.ofMillis(20));
        stalling = fleet.start("stalling", Duration.ZERO, Duration.ofSeconds(3));
        fleet.register(registry);
        registry.add("router.health-check.interval", () -> "1h");
        int sick = fleet.engines().size();
        registry.add("router.backends[" + sick + "].id", () -> "never-up");
        registry.add("router.backends[" + sick + "].url", () -> "http://127.0.0.1:1");
        registry.add("router.backends[" + sick + "].models[0]", () -> "sick-model");
    }

    @AfterAll
    static void stopEngines() {
        fleet.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    Fleet routerFleet;

    WebTestClient client;

    @BeforeEach
    void awaitFleet() {
        client = Http.client(port);
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == fleet.engines().size());
    }

    @Test
    void connectFailureWithNowhereElseToGoIs502() {
        deadSolo.close();
        client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Http.chat("dead-solo", "hello", false, 2))
                .exchange()
                .expectStatus().isEqualTo(502)
                .expectBody()
                .jsonPath("$.error.type").isEqualTo("server_error")
                .jsonPath("$.error.code").isEqualTo("upstream_unreachable")
                .jsonPath("$.error.message").value(m -> assertThat((String) m).contains("engine-0"));
    }

    @Test
    void connectFailureIsRetriedOnTheNextEngine() {
        deadOfPair.close();
        for (int i = 0; i < 4; i++) {
            client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Http.chat("dead-pair", "hello " + i, false, 2))
                    .exchange()
                    .expectStatus().isOk();
        }
        assertThat(liveOfPair.requestsCompleted()).isEqualTo(4);
    }

    @Test
    void engine503IsRetriedElsewhereBeforeAnythingReachedTheClient() {
        busyOfPair.fault(Fault.UNAVAILABLE);
        for (int i = 0; i < 4; i++) {
            client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"model\":\"busy-pair\",\"prompt\":\"p" + i + "\",\"max_tokens\":2}")
                    .exchange()
                    .expectStatus().isOk();
        }
        assertThat(busyOfPair.requestsReceived()).isPositive();
        assertThat(freeOfPair.requestsCompleted()).isEqualTo(4);
    }

    @Test
    void engine503WithNowhereElseToGoIsRelayedUnchanged() {
        busySolo.fault(Fault.UNAVAILABLE);
        client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"busy-solo\",\"prompt\":\"p\",\"max_tokens\":2}")
                .exchange()
                .expectStatus().isEqualTo(503)
                .expectBody().json("{\"error\":{\"type\":\"ServiceUnavailableError\",\"code\":503}}");
    }

    @Test
    void hungEngineIs504() {
        hung.fault(Fault.HANG);
        client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Http.chat("hang", "anyone?", false, 2))
                .exchange()
                .expectStatus().isEqualTo(504)
                .expectBody().jsonPath("$.error.code").isEqualTo("upstream_timeout");
        assertThat(hung.requestsReceived()).isEqualTo(1);
    }

    @Test
    void engineDyingMidStreamEndsTheStreamWithAnErrorEventAndTheRouterKeepsServing() {
        dying.fault(Fault.DIE_MID_STREAM);
        List<String> events = sse("dying", 50);
        assertThat(events.get(0)).contains("\"role\":\"assistant\"");
        assertThat(events.get(events.size() - 1)).contains("\"error\"").contains("upstream_unreachable");
        assertThat(events).noneMatch(event -> event.equals("[DONE]"));
        dying.fault(Fault.NONE);
        assertThat(sse("dying", 3)).endsWith("[DONE]");
    }

    @Test
    void streamThatStallsLongerThanTheIdleTimeoutEndsWithATimeoutEvent() {
        List<String> events = sse("stalling", 5);
        assertThat(events).hasSizeGreaterThanOrEqualTo(2);
        assertThat(events.get(events.size() - 1)).contains("upstream_timeout");
        await().atMost(Duration.ofSeconds(5)).until(() -> stalling.activeRequests() == 0);
        assertThat(stalling.requestsCancelled()).isEqualTo(1);
    }

    @Test
    void modelWhoseEnginesAreAllUnhealthyIs503() {
        client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Http.chat("sick-model", "x", false, 1))
                .exchange()
                .expectStatus().isEqualTo(503)
                .expectBody()
                .jsonPath("$.error.code").isEqualTo("no_healthy_backend")
                .jsonPath("$.error.message").value(m -> assertThat((String) m).contains("sick-model"));
        client.get().uri("/v1/models").exchange().expectBody(Map.class)
                .value(body -> assertThat(body.toString()).doesNotContain("sick-model"));
    }

    private List<String> sse(String model, int maxTokens) {
        return WebClient.create("http://127.0.0.1:" + port).post().uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Http.chat(model, "tell me", true, maxTokens))
                .retrieve()
                .bodyToFlux(String.class)
                .collectList()
                .block(Duration.ofSeconds(15));
    }
}
