package dev.prefixrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.ReceivedRequest;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RawHttp;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.ScriptedEngine;
import dev.prefixrouter.support.SimulatedFleet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * What crosses the proxy besides the body, with no trusted proxy configured (the default): hop-by-hop headers
 * stay behind in both directions, those a {@code Connection} header names included; the client's forwarding
 * headers are replaced by this hop's; an unsafe {@code X-Request-Id} is replaced by a generated one.
 */
@RouterTest(properties = "router.engine-stats.enabled=false")
class HeaderHygieneTest {

    private static final SimulatedFleet fleet = new SimulatedFleet();
    private static ScriptedEngine scripted;

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        fleet.start("m", Duration.ZERO, Duration.ZERO);
        fleet.register(registry);
        scripted = ScriptedEngine.start("scripted", Map.of("Connection", "X-Engine-Hop, Keep-Alive",
                "X-Engine-Hop", "secret", "Keep-Alive", "timeout=5", "X-Engine-Kept", "yes"));
        scripted.register(registry, 1, "scripted");
    }

    @AfterAll
    static void stopEngines() {
        fleet.close();
        scripted.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    Fleet routerFleet;

    WebTestClient client;

    @BeforeEach
    void awaitFleet() {
        client = Http.client(port);
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 2);
    }

    private EngineSimulator engine() {
        return fleet.get(0);
    }

    private ReceivedRequest lastReceived() {
        List<ReceivedRequest> received = engine().recentRequests();
        return received.get(received.size() - 1);
    }

    @Test
    void headersTheClientsConnectionHeaderNamesDoNotReachTheEngine() {
        String response = RawHttp.exchange(port, """
                POST /v1/chat/completions HTTP/1.1
                Host: router.test
                Content-Type: application/json
                Connection: close, X-Client-Hop
                X-Client-Hop: for the router only
                Keep-Alive: timeout=5
                X-Client-Kept: for the engine""", Http.chat("m", "hi", false, 1));

        assertThat(RawHttp.status(response)).isEqualTo(200);
        assertThat(lastReceived().headers()).containsEntry("x-client-kept", "for the engine")
                .doesNotContainKeys("x-client-hop", "keep-alive");
    }

    @Test
    void headersTheEnginesConnectionHeaderNamesDoNotReachTheClient() {
        client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Http.chat("scripted", "hi", false, 1))
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("X-Engine-Kept", "yes")
                .expectHeader().doesNotExist("X-Engine-Hop")
                .expectHeader().doesNotExist("Keep-Alive");
    }

    @Test
    void forwardingHeadersFromAnUntrustedPeerAreReplacedByThisHops() {
        client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .header("Host", "api.example.test")
                .header("X-Forwarded-For", "203.0.113.66")
                .header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "forged.example")
                .header("X-Forwarded-Port", "443")
                .header("X-Real-IP", "203.0.113.66")
                .header("Forwarded", "for=203.0.113.66;proto=https")
                .bodyValue(Http.chat("m", "hi", false, 1))
                .exchange()
                .expectStatus().isOk();

        ReceivedRequest received = lastReceived();
        assertThat(received.values("X-Forwarded-For")).containsExactly("127.0.0.1");
        assertThat(received.values("X-Forwarded-Proto")).containsExactly("http");
        assertThat(received.values("X-Forwarded-Host")).containsExactly("api.example.test");
        assertThat(received.values("Forwarded"))
                .containsExactly("for=127.0.0.1;host=\"api.example.test\";proto=http");
        assertThat(received.headers()).doesNotContainKeys("x-forwarded-port", "x-real-ip");
    }

    @Test
    void aSafeRequestIdIsKeptAndForwarded() {
        client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .header("X-Request-Id", "trace-01.ab:c_d")
                .bodyValue(Http.chat("m", "hi", false, 1))
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("X-Request-Id", "trace-01.ab:c_d");
        assertThat(lastReceived().headers()).containsEntry("x-request-id", "trace-01.ab:c_d");
    }

    @ParameterizedTest
    @ValueSource(strings = {"has space", "slash/in/it", "semi;colon", "quote\"d", "x1234567890123456789012345678901234567890123456789012345678901234"})
    void anUnsafeRequestIdIsReplacedByAGeneratedOne(String unsafe) {
        String id = client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .header("X-Request-Id", unsafe)
                .bodyValue(Http.chat("m", "hi", false, 1))
                .exchange()
                .expectStatus().isOk()
                .returnResult(String.class).getResponseHeaders().getFirst("X-Request-Id");
        assertThat(id).isNotEqualTo(unsafe).matches("req-[0-9a-f]{32}");
        assertThat(lastReceived().headers()).containsEntry("x-request-id", id);
    }
}
