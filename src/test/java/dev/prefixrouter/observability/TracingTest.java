package dev.prefixrouter.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.ReceivedRequest;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Traces as an operator running a collector sees them: the engine receives a W3C {@code traceparent} continuing
 * the client's trace, whose parent is the router's span for that attempt; the router exports its spans over OTLP
 * with the routing decision on them.
 */
@RouterTest(properties = {"management.tracing.sampling.probability=1.0",
        "management.opentelemetry.tracing.export.schedule-delay=100ms"})
class TracingTest {

    private static final SimulatedFleet fleet = new SimulatedFleet();
    private static final List<byte[]> exported = new CopyOnWriteArrayList<>();
    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
    private static DisposableServer collector;

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        fleet.start("m", Duration.ofMillis(1), Duration.ofMillis(1));
        fleet.register(registry);
        collector = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.post("/v1/traces", (request, response) -> request.receive().aggregate()
                        .asByteArray().doOnNext(exported::add).then(response.status(200).send())))
                .bindNow();
        registry.add("management.opentelemetry.tracing.export.otlp.endpoint", () -> "http://127.0.0.1:" + collector.port() + "/v1/traces");
    }

    @AfterAll
    static void stop() {
        fleet.close();
        collector.disposeNow();
    }

    @LocalServerPort
    int port;

    @Autowired
    Fleet routerFleet;

    WebTestClient router;

    @BeforeEach
    void awaitFleet() {
        router = Http.client(port);
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 1);
    }

    private ReceivedRequest chat(String traceparent, String content) {
        EngineSimulator engine = fleet.get(0);
        router.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .headers(headers -> {
                    if (traceparent != null) {
                        headers.set("traceparent", traceparent);
                        headers.set("tracestate", "vendor=opaque");
                    }
                })
                .bodyValue("{\"model\":\"m\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\""
                        + content + "\"}]}")
                .exchange().expectStatus().isOk();
        return engine.recentRequests().stream().filter(r -> r.bodyText().contains(content)).findFirst()
                .orElseThrow();
    }

    @Test
    void theEngineContinuesTheClientsTraceUnderTheRoutersAttemptSpan() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String clientSpan = "00f067aa0ba902b7";
        ReceivedRequest received = chat("00-" + traceId + "-" + clientSpan + "-01", "traced " + "x".repeat(300));

        Matcher upstream = TRACEPARENT.matcher(received.headers().get("traceparent"));
        assertThat(upstream.matches()).as(received.headers().get("traceparent")).isTrue();
        assertThat(upstream.group(1)).isEqualTo(traceId);
        assertThat(upstream.group(2)).as("the engine's parent is the router's attempt span").isNotEqualTo(clientSpan);
        assertThat(received.values("traceparent")).hasSize(1);
        assertThat(received.headers().get("tracestate")).isEqualTo("vendor=opaque");

        byte[] trace = HexFormat.of().parseHex(traceId);
        byte[] attemptSpan = HexFormat.of().parseHex(upstream.group(2));
        await().atMost(Duration.ofSeconds(10)).until(() -> exported.stream().anyMatch(payload ->
                contains(payload, trace) && contains(payload, attemptSpan)
                        && contains(payload, "POST /v1/chat/completions") && contains(payload, "engine engine-0")));
        byte[] payload = exported.stream().filter(p -> contains(p, attemptSpan)).findFirst().orElseThrow();
        for (String attribute : List.of("router.policy", "prefix-aware", "router.engine", "router.prompt_chars",
                "router.prefix.matched_chars", "router.prefix.cost_chars", "router.attempt",
                "http.response.status_code", "gen_ai.request.model")) {
            assertThat(contains(payload, attribute)).as(attribute).isTrue();
        }
    }

    @Test
    void aRequestWithoutATraceStartsOneAndTheEngineJoinsIt() {
        ReceivedRequest received = chat(null, "untraced");
        assertThat(received.headers().get("traceparent")).matches(TRACEPARENT);
        assertThat(received.headers()).doesNotContainKey("tracestate");
    }

    private static boolean contains(byte[] payload, String text) {
        return contains(payload, text.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean contains(byte[] payload, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= payload.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (payload[i + j] != part[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
