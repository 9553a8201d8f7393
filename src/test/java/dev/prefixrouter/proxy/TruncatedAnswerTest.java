package dev.prefixrouter.proxy;

import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.ScriptedEngine;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A whole answer is gathered before it is sent: an engine that breaks off midway leaves the client with an
 * OpenAI error and a usable connection, not a 200 with half a body and a closed connection.
 */
@RouterTest(properties = {"router.engine-stats.enabled=false", "router.health-check.interval=1h"})
class TruncatedAnswerTest {

    private static ScriptedEngine truncating;

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        truncating = ScriptedEngine.truncating("m");
        truncating.register(registry, 0, "truncating");
    }

    @AfterAll
    static void stopEngine() {
        truncating.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    Fleet routerFleet;

    WebTestClient client;

    @BeforeEach
    void awaitFleet() {
        client = Http.client(port);
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 1);
    }

    @Test
    void anAnswerBrokenOffMidwayBecomesABadGatewayError() {
        for (int i = 0; i < 2; i++) { // the second on the same client connection: the first left it usable
            client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Http.chat("m", "hello", false, 4))
                    .header("X-Request-Id", "truncated-" + i)
                    .exchange()
                    .expectStatus().isEqualTo(502)
                    .expectHeader().valueEquals("X-Request-Id", "truncated-" + i)
                    .expectHeader().contentType(MediaType.APPLICATION_JSON)
                    .expectBody()
                    .jsonPath("$.error.code").isEqualTo("upstream_unreachable")
                    .jsonPath("$.error.message").value(message -> org.assertj.core.api.Assertions
                            .assertThat((String) message).contains("closed the connection"));
        }
    }
}
