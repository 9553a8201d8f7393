package dev.prefixrouter.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.ReceivedRequest;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Client API keys over loopback: one configured key and a key file laid out as Kubernetes mounts a Secret (the
 * file a symlink through {@code ..data}, which an update swaps to a new directory). Requests without a right key
 * get 401 and reach no engine; accepted ones reach it without the client's {@code Authorization}; health stays
 * open; a rotated file takes effect without a restart; no key shows in logs or metrics.
 */
@RouterTest(properties = {"router.client-keys.keys.ops=sk-ops-inline-0123456789",
        "router.client-keys.reload-interval=100ms", "router.engine-stats.enabled=false"})
@ExtendWith(OutputCaptureExtension.class)
class ClientKeysIntegrationTest {

    private static final String OPS_KEY = "sk-ops-inline-0123456789";
    private static final String FIRST_FILE_KEY = "sk-file-first-aaaaaaaaaa";
    private static final String ROTATED_FILE_KEY = "sk-file-rotated-bbbbbbbb";
    private static final SimulatedFleet fleet = new SimulatedFleet();
    private static final AtomicInteger versions = new AtomicInteger();
    private static Path secretVolume;

    @DynamicPropertySource
    static void enginesAndKeys(DynamicPropertyRegistry registry) throws IOException {
        fleet.start("m", Duration.ZERO, Duration.ZERO);
        fleet.start("m-keyed", Duration.ZERO, Duration.ZERO);
        fleet.register(registry);
        registry.add("router.backends[1].api-key", () -> "engine-own-key");
        secretVolume = Files.createTempDirectory("client-keys");
        writeSecret("# mounted from a Kubernetes Secret\nfirst:" + FIRST_FILE_KEY + "\n");
        Files.createSymbolicLink(secretVolume.resolve("keys"), Path.of("..data", "keys"));
        registry.add("router.client-keys.file", () -> secretVolume.resolve("keys").toString());
    }

    /** As kubelet updates a Secret volume: a new directory, then one atomic swap of the {@code ..data} link. */
    private static void writeSecret(String content) throws IOException {
        Path version = Files.createDirectory(secretVolume.resolve("..v" + versions.incrementAndGet()));
        Files.writeString(version.resolve("keys"), content, StandardCharsets.UTF_8);
        Path link = secretVolume.resolve("..data_tmp");
        Files.createSymbolicLink(link, version.getFileName());
        Files.move(link, secretVolume.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    @AfterAll
    static void cleanUp() throws IOException {
        fleet.close();
        try (Stream<Path> files = Files.walk(secretVolume)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    Fleet routerFleet;

    @Autowired
    MeterRegistry meters;

    WebTestClient client;

    @BeforeEach
    void awaitFleet() {
        client = Http.client(port);
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 2);
    }

    private WebTestClient.ResponseSpec chat(String authorization, String model, String content) {
        WebTestClient.RequestBodySpec request = client.post().uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.bodyValue(Http.chat(model, content, false, 1)).exchange();
    }

    private static boolean reachedAnEngine(String content) {
        return fleet.engines().stream().flatMap(engine -> engine.recentRequests().stream())
                .anyMatch(received -> received.bodyText().contains(content));
    }

    private static ReceivedRequest lastReceived(EngineSimulator engine) {
        var received = engine.recentRequests();
        return received.get(received.size() - 1);
    }

    private static void expectInvalidApiKey(WebTestClient.ResponseSpec response) {
        response.expectStatus().isUnauthorized()
                .expectHeader().valueEquals("WWW-Authenticate", "Bearer")
                .expectHeader().exists("X-Request-Id")
                .expectBody()
                .jsonPath("$.error.type").isEqualTo("invalid_request_error")
                .jsonPath("$.error.code").isEqualTo("invalid_api_key")
                .jsonPath("$.error.message").value(message -> assertThat((String) message)
                        .doesNotContain("sk-"));
    }

    @Test
    void aRequestWithoutAKeyGets401AndReachesNoEngine() {
        expectInvalidApiKey(chat(null, "m", "no key at all"));
        assertThat(reachedAnEngine("no key at all")).isFalse();
    }

    @Test
    void aRequestWithAWrongKeyGets401AndReachesNoEngine() {
        expectInvalidApiKey(chat("Bearer sk-ops-inline-0123456788", "m", "wrong key"));
        expectInvalidApiKey(chat("Basic " + OPS_KEY, "m", "wrong scheme"));
        expectInvalidApiKey(chat("Bearer engine-own-key", "m-keyed", "the engine's key"));
        assertThat(reachedAnEngine("wrong key")).isFalse();
        assertThat(reachedAnEngine("wrong scheme")).isFalse();
        assertThat(reachedAnEngine("the engine's key")).isFalse();
    }

    @Test
    void routesOutsideV1NeedAKeyToo() {
        expectInvalidApiKey(client.post().uri("/tokenize").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"m\",\"prompt\":\"hi\"}").exchange());
        expectInvalidApiKey(client.post().uri("/rerank").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"m\",\"query\":\"q\",\"documents\":[\"d\"]}").exchange());
    }

    @Test
    void modelsNeedAKeyToo() {
        expectInvalidApiKey(client.get().uri("/v1/models").exchange());
        expectInvalidApiKey(client.get().uri("/v1/models").header("Authorization", "Bearer nope").exchange());
        client.get().uri("/v1/models").header("Authorization", "Bearer " + OPS_KEY).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.data.length()").isEqualTo(2);
    }

    @Test
    void healthStaysOpen() {
        client.get().uri("/health").exchange().expectStatus().isOk();
        Http.client(managementPort).get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
        Http.client(managementPort).get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
    }

    @Test
    void theClientsKeyIsNeverForwardedToAnEngine() {
        chat("Bearer " + OPS_KEY, "m", "right key").expectStatus().isOk();
        assertThat(lastReceived(fleet.get(0)).bodyText()).contains("right key");
        assertThat(lastReceived(fleet.get(0)).headers()).doesNotContainKey("authorization");

        chat("Bearer " + FIRST_FILE_KEY, "m-keyed", "engine with its own key").expectStatus().isOk();
        assertThat(lastReceived(fleet.get(1)).bodyText()).contains("engine with its own key");
        assertThat(lastReceived(fleet.get(1)).values("Authorization")).containsExactly("Bearer engine-own-key");
    }

    @Test
    void aRotatedKeyFileTakesEffectWithoutARestart(CapturedOutput output) throws IOException {
        chat("Bearer " + FIRST_FILE_KEY, "m", "before rotation").expectStatus().isOk();
        writeSecret("first:" + ROTATED_FILE_KEY + "\n");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                chat("Bearer " + ROTATED_FILE_KEY, "m", "after rotation").expectStatus().isOk());
        expectInvalidApiKey(chat("Bearer " + FIRST_FILE_KEY, "m", "old key after rotation"));
        chat("Bearer " + OPS_KEY, "m", "configured key after rotation").expectStatus().isOk();

        // A broken update keeps the keys before in force rather than locking every client out.
        double failures = meters.get("router.client_keys.reload_failures").counter().count();
        writeSecret("first:" + ROTATED_FILE_KEY + "\nnot a name:sk-broken\n");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                meters.get("router.client_keys.reload_failures").counter().count() > failures);
        chat("Bearer " + ROTATED_FILE_KEY, "m", "after a broken update").expectStatus().isOk();

        String prometheus = Http.client(managementPort).get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(prometheus).contains("router_client_keys 2.0")
                .contains("router_client_key_rejections_total{reason=\"invalid\"}");
        for (String text : new String[] {output.getAll(), prometheus}) {
            assertThat(text).doesNotContain(OPS_KEY, FIRST_FILE_KEY, ROTATED_FILE_KEY, "sk-broken");
        }
        assertThat(output.getAll()).contains("client keys: the key file", "first", "ops")
                .contains("line 2: what precedes ':' is not a key name");
    }
}
