package dev.prefixrouter.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

/**
 * The request-memory budget end to end: a burst bigger than the budget gets clean 503s while admitted requests
 * complete; streams give their body's room back as soon as their engine answers; slow uploads and oversized
 * headers are cut off.
 */
class AdmissionIntegrationTest {

    /** About 100 KB of prompt: two fit in the 250 KB budget below, three do not. */
    static final String PROMPT = "x".repeat(100_000);

    static List<ResponseEntity<String>> burst(int port, int requests, boolean stream) {
        WebClient client = WebClient.builder().baseUrl("http://127.0.0.1:" + port)
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(1 << 20)).build();
        return Flux.range(0, requests)
                .flatMap(i -> client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Http.chat("m", i + PROMPT, stream, 10))
                        .exchangeToMono(response -> response.toEntity(String.class)), requests)
                .collectList().block(Duration.ofSeconds(30));
    }

    @Nested
    @RouterTest(properties = {"router.limits.max-buffered-bytes=250KB", "router.limits.max-waiting-requests=2",
            "router.limits.admission-timeout=300ms", "router.limits.retry-after=2s",
            "router.limits.body-read-timeout=1s"})
    class BurstOverTheBudget {

        static final SimulatedFleet fleet = new SimulatedFleet();

        @DynamicPropertySource
        static void engines(DynamicPropertyRegistry registry) {
            // Whole answers after 1.5 s. With a second engine to retry on, a body stays held until its answer.
            fleet.start("m", Duration.ofMillis(1500), Duration.ZERO);
            fleet.start("m", Duration.ofMillis(1500), Duration.ZERO);
            fleet.register(registry);
        }

        @AfterAll
        static void stopEngines() {
            fleet.close();
        }

        @LocalServerPort
        int port;

        @Autowired
        AdmissionControl admission;

        @Autowired
        org.springframework.core.env.Environment environment;

        @Autowired
        dev.prefixrouter.fleet.Fleet routerFleet;

        @BeforeEach
        void awaitFleet() {
            await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 2);
        }

        @Test
        void admittedRequestsCompleteAndTheRestGetARetryable503() {
            List<ResponseEntity<String>> responses = burst(port, 8, false);

            assertThat(responses).filteredOn(r -> r.getStatusCode().value() == 200).hasSize(2);
            List<ResponseEntity<String>> refused = responses.stream()
                    .filter(r -> r.getStatusCode().value() == 503).toList();
            assertThat(refused).hasSize(6).allSatisfy(response -> {
                assertThat(response.getHeaders().getFirst("Retry-After")).isEqualTo("2");
                assertThat(response.getHeaders().getFirst("retry-after-ms")).isEqualTo("2000");
                assertThat(response.getBody()).contains("\"type\":\"server_error\"", "\"code\":\"overloaded\"");
            });
            Map<String, Long> rejected = admission.usage().rejected();
            assertThat(rejected.get("queue_full") + rejected.get("timeout")).isEqualTo(6);
            assertThat(rejected.get("timeout")).as("two waited and timed out").isEqualTo(2);

            // released when each exchange ends on the server, a moment after the client has the last byte
            await().atMost(Duration.ofSeconds(5)).until(() -> admission.usage().bufferedBytes() == 0);
            assertThat(burst(port, 1, false)).singleElement()
                    .satisfies(response -> assertThat(response.getStatusCode().value()).isEqualTo(200));
            String metrics = Http.client(managementPort()).get().uri("/actuator/prometheus").exchange()
                    .expectBody(String.class).returnResult().getResponseBody();
            assertThat(metrics).contains("router_admission_rejected_total{reason=\"timeout\"} 2.0",
                    "router_admission_budget_bytes 256000.0", "router_admission_buffered_bytes 0.0",
                    "router_requests_total{backend=\"none\",model=\"unknown\",status=\"503\"} 6.0");
            Http.client(managementPort()).get().uri("/actuator/admission").exchange().expectStatus().isOk()
                    .expectBody().jsonPath("$.budgetBytes").isEqualTo(256000)
                    .jsonPath("$.rejected.timeout").isEqualTo(2);
        }

        @Test
        void aBodyLargerThanTheWholeBudgetIs413() {
            Http.client(port).post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Http.chat("m", "y".repeat(300_000), false, 1)).exchange()
                    .expectStatus().isEqualTo(413).expectBody()
                    .jsonPath("$.error.code").isEqualTo("request_too_large")
                    .jsonPath("$.error.message").value(message -> assertThat((String) message)
                            .contains("router.limits.max-buffered-bytes"));
        }

        @Test
        void aChunkedBodyThatOutgrowsTheRoomLeftIs503() {
            Flux<DataBuffer> chunked = Flux.range(0, 300).map(i -> DefaultDataBufferFactory.sharedInstance
                    .wrap(("z".repeat(1024)).getBytes(StandardCharsets.UTF_8)));
            Http.client(port).post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                    .body(chunked, DataBuffer.class).exchange()
                    .expectStatus().isEqualTo(503).expectBody().jsonPath("$.error.code").isEqualTo("overloaded");
            assertThat(admission.usage().rejected().get("body_budget")).isEqualTo(1);
            assertThat(admission.usage().bufferedBytes()).isZero();
        }

        @Test
        void aSlowUploadIsCutByTheReadTimeoutAndGivesItsRoomBack() throws Exception {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                        + "\r\nContent-Length: 5000\r\n\r\n{\"model\":\"m\",").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                await().atMost(Duration.ofSeconds(5)).until(() -> admission.usage().bufferedBytes() > 0);
                InputStream in = socket.getInputStream();
                long started = System.nanoTime();
                while (in.read() >= 0) {
                    // whatever the server says before it closes
                }
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> admission.usage().bufferedBytes() == 0);
        }

        @Test
        void oversizedHeadersAre431() {
            Http.client(port).post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                    .header("X-Padding", "p".repeat(10_000)).bodyValue(Http.chat("m", "hi", false, 1))
                    .exchange().expectStatus().isEqualTo(431);
        }

        private int managementPort() {
            return environment.getProperty("local.management.port", Integer.class);
        }
    }

    @Nested
    @RouterTest(properties = {"router.limits.max-buffered-bytes=250KB", "router.limits.max-waiting-requests=8",
            "router.limits.admission-timeout=800ms"})
    class StreamsReleaseTheirBodyOnceAnswered {

        static final SimulatedFleet fleet = new SimulatedFleet();

        @DynamicPropertySource
        static void engines(DynamicPropertyRegistry registry) {
            fleet.start("m", Duration.ZERO, Duration.ofMillis(150)); // 10 tokens: 1.5 s per stream
            fleet.register(registry);
        }

        @AfterAll
        static void stopEngines() {
            fleet.close();
        }

        @LocalServerPort
        int port;

        @Autowired
        AdmissionControl admission;

        @Test
        void moreStreamsThanBodiesFitRunAtOnce() {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> Http.client(port).get().uri("/v1/models")
                    .exchange().expectBody().jsonPath("$.data.length()").isEqualTo(1));
            // Two bodies fit at a time. Held until each stream ended (1.5 s), the fifth and sixth would wait
            // 3 s, far past the admission timeout; released when the engine answers, all six run together.
            List<ResponseEntity<String>> responses = burst(port, 6, true);
            assertThat(responses).allSatisfy(response -> {
                assertThat(response.getStatusCode().value()).isEqualTo(200);
                assertThat(response.getBody()).endsWith("data: [DONE]\n\n");
            });
            assertThat(admission.usage().rejected().values()).allMatch(count -> count == 0);
            await().atMost(Duration.ofSeconds(5)).until(() -> admission.usage().bufferedBytes() == 0);
        }
    }
}
