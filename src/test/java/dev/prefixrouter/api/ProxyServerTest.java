package dev.prefixrouter.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.server.WebFilter;

/**
 * The proxied operations are served on Reactor Netty's own routes, ahead of WebFlux (whose filters, here one that
 * records every request it sees, never meet them), with what WebFlux gave them kept: the request id, a query
 * string, 405 for another method; and only on the API port.
 */
@RouterTest(properties = "router.routing.policy=round-robin")
@Import(ProxyServerTest.SeenByWebFlux.class)
class ProxyServerTest {

    private static final SimulatedFleet fleet = new SimulatedFleet();
    private static final String CHAT = Http.chat("m", "hello there", false, 4);

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        fleet.start("m", Duration.ofMillis(1), Duration.ofMillis(1));
        fleet.register(registry);
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

    @Autowired
    List<String> seenByWebFlux;

    WebTestClient router;

    @BeforeEach
    void awaitFleet() {
        router = Http.client(port);
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 1);
        seenByWebFlux.clear();
    }

    @Test
    void aProxiedRequestNeverReachesWebFluxAndTheRouterStillAnswersItsOwnRoutesThere() {
        router.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON).bodyValue(CHAT)
                .exchange()
                .expectStatus().isOk()
                .expectHeader().exists(RequestIds.HEADER)
                .expectBody().jsonPath("$.object").isEqualTo("chat.completion");
        router.post().uri("/v1/chat/completions?trace=1").contentType(MediaType.APPLICATION_JSON).bodyValue(CHAT)
                .header(RequestIds.HEADER, "client-id-7")
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals(RequestIds.HEADER, "client-id-7");
        router.get().uri("/v1/models").exchange().expectStatus().isOk();

        assertThat(seenByWebFlux).containsExactly("GET /v1/models");
    }

    @Test
    void anotherMethodOnAProxiedPathStillGets405AsAnOpenAiError() {
        router.get().uri("/v1/chat/completions").exchange()
                .expectStatus().isEqualTo(405)
                .expectHeader().exists(RequestIds.HEADER)
                .expectBody().jsonPath("$.error.type").isEqualTo("invalid_request_error");
        assertThat(seenByWebFlux).containsExactly("GET /v1/chat/completions");
    }

    @Test
    void anErrorBeforeTheEngineIsAnOpenAiErrorWithTheRequestId() {
        router.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"m\",\"messages\":")
                .header(RequestIds.HEADER, "broken-1")
                .exchange()
                .expectStatus().isBadRequest()
                .expectHeader().valueEquals(RequestIds.HEADER, "broken-1")
                .expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectBody().jsonPath("$.error.type").isEqualTo("invalid_request_error");
        router.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Http.chat("no-such-model", "hi", false, 4))
                .exchange()
                .expectStatus().isNotFound()
                .expectBody().jsonPath("$.error.code").isEqualTo("model_not_found");
        assertThat(seenByWebFlux).isEmpty();
    }

    @Test
    void theManagementPortDoesNotProxy() {
        // Its own WebFlux answers: the write guard refuses an unauthenticated POST there (a proxied one would be 200).
        Http.client(managementPort).post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(CHAT)
                .exchange()
                .expectStatus().isForbidden();
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class SeenByWebFlux {

        @Bean
        List<String> seenByWebFlux() {
            return new CopyOnWriteArrayList<>();
        }

        @Bean
        WebFilter recordingFilter(List<String> seenByWebFlux) {
            return (exchange, chain) -> {
                if (!exchange.getRequest().getPath().value().startsWith("/actuator")) {
                    seenByWebFlux.add(exchange.getRequest().getMethod() + " " + exchange.getRequest().getPath());
                }
                return chain.filter(exchange);
            };
        }
    }
}
