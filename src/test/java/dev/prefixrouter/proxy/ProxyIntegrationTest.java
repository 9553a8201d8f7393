package dev.prefixrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.ReceivedRequest;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

/** The OpenAI surface end to end: router on a random port in front of three simulated engines on loopback. */
@RouterTest(properties = {"router.routing.policy=round-robin", "router.limits.max-body-size=64KB"})
class ProxyIntegrationTest {

    private static final SimulatedFleet fleet = new SimulatedFleet();

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        fleet.start("test-model", Duration.ofMillis(5), Duration.ofMillis(2));
        fleet.start("test-model", Duration.ofMillis(5), Duration.ofMillis(2));
        fleet.start("other-model", Duration.ZERO, Duration.ZERO);
        fleet.register(registry);
    }

    @AfterAll
    static void stopEngines() {
        fleet.close();
    }

    @LocalServerPort
    int port;

    WebTestClient client;

    @BeforeEach
    void awaitHealthyFleet() {
        client = Http.client(port);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> client.get().uri("/v1/models").exchange()
                .expectBody().jsonPath("$.data.length()").isEqualTo(2));
    }

    @Test
    void chatCompletionIsRelayedWithStatusTypeAndBody() {
        client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Http.chat("test-model", "Say hello", false, 4))
                .exchange()
                .expectStatus().isOk()
                .expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectHeader().exists("X-Request-Id")
                .expectBody()
                .jsonPath("$.object").isEqualTo("chat.completion")
                .jsonPath("$.choices[0].message.content")
                .isEqualTo(EngineSimulator.completionText("Say hello", 4))
                .jsonPath("$.usage.completion_tokens").isEqualTo(4);
    }

    @Test
    void completionWithTokenIdPromptsRoutes() {
        client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"test-model\",\"prompt\":[[101,2023],[101,999]],\"max_tokens\":3}")
                .exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.object").isEqualTo("text_completion")
                .jsonPath("$.usage.completion_tokens").isEqualTo(3);
    }

    @Test
    void embeddingsRoute() {
        client.post().uri("/v1/embeddings").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"other-model\",\"input\":[\"a\",\"b\"]}")
                .exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.data.length()").isEqualTo(2);
    }

    @Test
    void bodyReachesTheEngineByteForByteWithUnknownFields() {
        String body = "{ \"model\" : \"other-model\",\"prompt\":\"caf\\u00e9 \u2603\",  \"max_tokens\":2,"
                + "\"top_k\":7,\"min_p\":0.05,\"guided_regex\":\"[a-z]+\",\"vllm_xargs\":{\"k\":[1,2]} }";
        client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .header("X-Request-Id", "client-id-42")
                .header("X-Custom", "kept")
                .bodyValue(body.getBytes(StandardCharsets.UTF_8))
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("X-Request-Id", "client-id-42");
        List<ReceivedRequest> received = fleet.get(2).recentRequests();
        ReceivedRequest last = received.get(received.size() - 1);
        assertThat(last.body()).isEqualTo(body.getBytes(StandardCharsets.UTF_8));
        assertThat(last.path()).isEqualTo("/v1/completions");
        assertThat(last.headers()).containsEntry("x-request-id", "client-id-42").containsEntry("x-custom", "kept")
                .containsKey("x-forwarded-for");
    }

    @Test
    void streamingRelaysChunksInOrderThenUsageThenDone() {
        List<String> events = WebClient.create("http://127.0.0.1:" + port).post().uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"test-model\",\"stream\":true,\"max_tokens\":6,"
                        + "\"stream_options\":{\"include_usage\":true},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Count\"}]}")
                .retrieve()
                .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
                .map(ServerSentEvent::data)
                .collectList()
                .block(Duration.ofSeconds(10));
        assertThat(events).hasSize(1 + 6 + 1 + 1);
        assertThat(events.get(0)).contains("\"role\":\"assistant\"");
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 6; i++) {
            String event = events.get(i);
            assertThat(event).contains("\"finish_reason\":" + (i == 6 ? "\"length\"" : "null"));
            text.append(event, event.indexOf("\"content\":\"") + 11, event.indexOf("\"}"));
        }
        assertThat(text).hasToString(EngineSimulator.completionText("Count", 6));
        assertThat(events.get(7)).contains("\"usage\":{\"prompt_tokens\"").contains("\"completion_tokens\":6");
        assertThat(events.get(8)).isEqualTo("[DONE]");
    }

    @Test
    void streamIsChunkedSoTheClientConnectionStaysOpen() {
        // The engine's Transfer-Encoding is hop-by-hop and not copied; the router must frame the stream itself,
        // or the only way to end it is closing the client's connection after every stream.
        client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"test-model\",\"stream\":true,\"max_tokens\":2,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("Transfer-Encoding", "chunked")
                .expectHeader().doesNotExist("Connection")
                .expectBody(String.class).value(body -> assertThat(body).endsWith("data: [DONE]\n\n"));
    }

    @Test
    void streamEventsReachTheClientWhileTheEngineIsStillGenerating() {
        // 200 tokens 2 ms apart take the engine at least 0.4 s: the first events must not wait for the last.
        List<Long> arrivals = WebClient.create("http://127.0.0.1:" + port).post().uri("/v1/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"test-model\",\"stream\":true,\"max_tokens\":200,\"prompt\":\"Go\"}")
                .retrieve()
                .bodyToFlux(String.class)
                .map(event -> System.nanoTime())
                .collectList()
                .block(Duration.ofSeconds(10));
        assertThat(arrivals).hasSize(200 + 1);
        assertThat(Duration.ofNanos(arrivals.get(arrivals.size() - 1) - arrivals.get(0)))
                .isGreaterThan(Duration.ofMillis(200));
    }

    @Test
    void clientDisconnectCancelsTheUpstreamRequest() {
        EngineSimulator engine = fleet.get(2);
        long cancelledBefore = engine.requestsCancelled();
        List<String> firstTwo = WebClient.create("http://127.0.0.1:" + port).post().uri("/v1/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"other-model\",\"stream\":true,\"max_tokens\":1000000,\"prompt\":\"go\"}")
                .retrieve()
                .bodyToFlux(String.class)
                .take(2)
                .collectList()
                .block(Duration.ofSeconds(10));
        assertThat(firstTwo).hasSize(2);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(engine.requestsCancelled()).isEqualTo(cancelledBefore + 1);
            assertThat(engine.activeRequests()).isZero();
        });
    }

    @Test
    void upstreamErrorsAreRelayedUnchanged() {
        client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Http.chat("test-model", "x", false, 0))
                .exchange()
                .expectStatus().isBadRequest()
                .expectBody().json("{\"error\":{\"message\":\"max_tokens must be at least 1, got 0.\","
                        + "\"type\":\"BadRequestError\",\"param\":\"max_tokens\",\"code\":400}}", true);
    }

    @Test
    void malformedJsonIs400() {
        expectError(client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\": \"test-model\", \"messages\": [}").exchange(), 400, "invalid_request_error",
                null, null);
    }

    @Test
    void wrongFieldTypeIs400NamingTheField() {
        expectError(client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue("{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\",\"content\":7}]}")
                        .exchange(), 400, "invalid_request_error", "messages[0].content", null)
                .jsonPath("$.error.message").value(m -> assertThat((String) m).contains("'messages[0].content'"));
    }

    @Test
    void missingFieldsAre400() {
        expectError(client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"prompt\":\"x\"}").exchange(), 400, "invalid_request_error", "model", null);
        expectError(client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"test-model\"}").exchange(), 400, "invalid_request_error", "messages", null);
    }

    @Test
    void oversizedBodyIs413WhetherDeclaredOrStreamed() {
        String big = Http.chat("test-model", "x".repeat(70 * 1024), false, 1);
        expectError(client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(big).exchange(), 413, "invalid_request_error", null, "request_too_large");
        // Chunked transfer: no Content-Length to reject on, the limit applies while reading.
        Flux<org.springframework.core.io.buffer.DataBuffer> chunked = Flux.range(0, 80)
                .map(i -> org.springframework.core.io.buffer.DefaultDataBufferFactory.sharedInstance
                        .wrap(("x".repeat(1024)).getBytes(StandardCharsets.UTF_8)));
        expectError(client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .body(chunked, org.springframework.core.io.buffer.DataBuffer.class).exchange(), 413,
                "invalid_request_error", null, "request_too_large");
    }

    @Test
    void unknownModelIs404ModelNotFound() {
        expectError(client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Http.chat("no-such-model", "x", false, 1)).exchange(), 404, "invalid_request_error",
                "model", "model_not_found");
    }

    @Test
    void unknownPathAndWrongMethodGetOpenAiErrors() {
        expectError(client.get().uri("/v1/nothing").exchange(), 404, "invalid_request_error", null, null);
        expectError(client.get().uri("/v1/chat/completions").exchange(), 405, "invalid_request_error", null, null);
    }

    @Test
    void modelsListsTheUnionOfHealthyBackendsModels() {
        client.get().uri("/v1/models").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.object").isEqualTo("list")
                .jsonPath("$.data[*].id").isEqualTo(List.of("other-model", "test-model"))
                .jsonPath("$.data[0].object").isEqualTo("model");
    }

    @Test
    void healthIsUpWithHealthyBackends() {
        client.get().uri("/health").exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { })
                .value(body -> assertThat(body).containsEntry("status", "UP").containsEntry("healthyBackends", 3));
    }

    private static WebTestClient.BodyContentSpec expectError(WebTestClient.ResponseSpec response, int status,
            String type, String param, String code) {
        WebTestClient.BodyContentSpec body = response.expectStatus().isEqualTo(status)
                .expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectBody()
                .jsonPath("$.error.message").isNotEmpty()
                .jsonPath("$.error.type").isEqualTo(type);
        body = param == null ? body.jsonPath("$.error.param").isEmpty()
                : body.jsonPath("$.error.param").isEqualTo(param);
        return code == null ? body : body.jsonPath("$.error.code").isEqualTo(code);
    }
}
