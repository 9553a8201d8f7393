package dev.prefixrouter.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.time.Duration;
import java.util.Map;
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
 * With {@code router.management.write-token} set, the actuator's writes on the management port (its own server,
 * in Spring Boot's child context) need that token as a Bearer credential; reads need nothing.
 */
@RouterTest(properties = {"router.management.write-token=mgmt-token-0123456789",
        "router.engine-stats.enabled=false"})
@ExtendWith(OutputCaptureExtension.class)
class ManagementWriteTokenTest {

    private static final String TOKEN = "mgmt-token-0123456789";
    private static final SimulatedFleet fleet = new SimulatedFleet();

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        fleet.start("m", Duration.ZERO, Duration.ZERO);
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

    WebTestClient management;

    @BeforeEach
    void indexSomething() {
        assertThat(managementPort).isNotEqualTo(port);
        management = Http.client(managementPort);
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 1);
        Http.client(port).post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Http.chat("m", "indexed ".repeat(40), false, 1)).exchange().expectStatus().isOk();
    }

    private long indexedNodes() {
        Map<?, ?> view = management.get().uri("/actuator/hashtrie").exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        return ((Number) view.get("nodes")).longValue();
    }

    @Test
    void aWriteWithoutTheTokenIsRefusedAndChangesNothing(CapturedOutput output) {
        management.delete().uri("/actuator/hashtrie").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().valueEquals("WWW-Authenticate", "Bearer")
                .expectBody().jsonPath("$.error.code").isEqualTo("invalid_write_token");
        management.delete().uri("/actuator/hashtrie").header("Authorization", "Bearer mgmt-token-0123456788")
                .exchange().expectStatus().isUnauthorized();
        management.post().uri("/actuator/hashtrie").contentType(MediaType.APPLICATION_JSON)
                .header("Authorization", "Basic " + TOKEN)
                .bodyValue("{\"utilization\": 0.0}").exchange().expectStatus().isUnauthorized();
        assertThat(indexedNodes()).isPositive();
        assertThat(output.getAll()).contains("management write DELETE /actuator/hashtrie from")
                .doesNotContain(TOKEN, "mgmt-token-0123456788");
    }

    @Test
    void aWriteWithTheTokenIsDone() {
        management.post().uri("/actuator/hashtrie").contentType(MediaType.APPLICATION_JSON)
                .header("Authorization", "Bearer " + TOKEN)
                .bodyValue("{\"utilization\": 0.0}").exchange().expectStatus().isOk();
        assertThat(indexedNodes()).isZero();
        Http.client(port).post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Http.chat("m", "again ".repeat(40), false, 1)).exchange().expectStatus().isOk();
        management.delete().uri("/actuator/hashtrie").header("Authorization", "Bearer " + TOKEN).exchange()
                .expectStatus().is2xxSuccessful();
        assertThat(indexedNodes()).isZero();
    }

    @Test
    void readsNeedNoToken() {
        management.get().uri("/actuator/hashtrie").exchange().expectStatus().isOk();
        management.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
        management.get().uri("/actuator/prometheus").exchange().expectStatus().isOk();
    }
}
