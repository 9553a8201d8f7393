package dev.prefixrouter.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.PrefixRouterApplication;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.support.SimulatedFleet;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The router as an operator runs it with {@code logging.structured.format.console=ecs} and Spring Boot 3's
 * {@code management.otlp.tracing.endpoint}, in its own process: every line it logs about a request is a JSON
 * object carrying the request id and the trace id, the engine joins the client's trace, and spans reach the
 * collector.
 */
class StructuredLogsTest {

    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

    private final SimulatedFleet fleet = new SimulatedFleet();
    private final List<byte[]> exported = new CopyOnWriteArrayList<>();
    private Process router;
    private DisposableServer collector;

    @AfterEach
    void stop() {
        if (router != null) {
            router.destroyForcibly();
        }
        if (collector != null) {
            collector.disposeNow();
        }
        fleet.close();
    }

    @Test
    void linesAboutARequestCarryItsRequestAndTraceIds() throws Exception {
        EngineSimulator engine = fleet.start("m", Duration.ofMillis(1), Duration.ofMillis(1));
        collector = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.post("/v1/traces", (request, response) -> request.receive().aggregate()
                        .asByteArray().doOnNext(exported::add).then(response.status(200).send())))
                .bindNow();
        int port = freePort();
        Path log = Files.createTempFile("router", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                        .toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                PrefixRouterApplication.class.getName(), "--server.port=" + port,
                "--management.server.port=" + freePort(), "--router.health-check.interval=200ms",
                "--logging.structured.format.console=ecs",
                "--management.otlp.tracing.endpoint=http://127.0.0.1:" + collector.port() + "/v1/traces",
                "--management.tracing.sampling.probability=1.0",
                "--management.opentelemetry.tracing.export.schedule-delay=100ms",
                "--router.backends[0].id=e0", "--router.backends[0].url=" + engine.baseUrl(),
                "--router.backends[0].models=m",
                "--router.backends[1].id=gone", "--router.backends[1].url=http://127.0.0.1:" + freePort(),
                "--router.backends[1].models=ghost"));
        router = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        WebClient client = WebClient.builder().baseUrl("http://127.0.0.1:" + port).build();
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> "UP".equals(client.get()
                .uri("/health").retrieve().bodyToMono(Map.class).block(Duration.ofSeconds(2)).get("status")));

        ResponseEntity<String> failed = chat(client, "ghost");
        assertThat(failed.getStatusCode().value()).isEqualTo(503);
        String requestId = failed.getHeaders().getFirst("X-Request-Id");
        assertThat(chat(client, "m").getStatusCode().value()).isEqualTo(200);
        assertThat(engine.recentRequests().get(engine.recentRequests().size() - 1).headers().get("traceparent"))
                .startsWith("00-" + TRACE_ID + "-");
        await().atMost(Duration.ofSeconds(10)).until(() -> !exported.isEmpty());

        JsonMapper json = JsonMapper.builder().build();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.startsWith("{")) {
                lines.add(json.readTree(line));
            }
        }
        assertThat(lines).as("the log is JSON lines").isNotEmpty();
        List<JsonNode> aboutTheRequest = lines.stream()
                .filter(line -> line.path("message").asString("").contains(requestId)).toList();
        assertThat(aboutTheRequest).as(Files.readString(log)).isNotEmpty();
        for (JsonNode line : aboutTheRequest) {
            assertThat(line.path("requestId").asString("")).as(line.toString()).isEqualTo(requestId);
            assertThat(line.path("traceId").asString("")).as(line.toString()).isEqualTo(TRACE_ID);
            assertThat(line.path("spanId").asString("")).as(line.toString()).hasSize(16);
            assertThat(line.path("log").path("level").asString("")).isIn("WARN", "INFO");
            assertThat(line.path("service").path("name").asString("")).isEqualTo("prefix-router");
        }
    }

    private static ResponseEntity<String> chat(WebClient client, String model) {
        return client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .header("traceparent", "00-" + TRACE_ID + "-b7ad6b7169203331-01")
                .bodyValue("{\"model\":\"" + model + "\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"hello\"}]}")
                .exchangeToMono(response -> response.toEntity(String.class)).block(Duration.ofSeconds(30));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
