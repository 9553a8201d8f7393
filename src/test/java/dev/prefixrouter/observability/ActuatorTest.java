package dev.prefixrouter.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import io.micrometer.tracing.Tracer;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The management port: health groups that follow the fleet without showing details, the router's Prometheus
 * metrics, and write operations refused while no write token is configured (the default).
 */
@RouterTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ActuatorTest {

    private static final SimulatedFleet fleet = new SimulatedFleet();

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        fleet.start("m", Duration.ofMillis(5), Duration.ofMillis(1));
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

    WebTestClient api;
    WebTestClient management;

    @BeforeEach
    void clients() {
        api = Http.client(port);
        management = Http.client(managementPort);
    }

    @Autowired
    ApplicationContext context;

    @Test
    void tracesAreExportedOnlyWhenAnEndpointIsSet() {
        assertThat(context.getBeanNamesForType(SpanExporter.class)).isEmpty();
        assertThat(context.getBeanNamesForType(Tracer.class)).as("propagation still works").hasSize(1);
    }

    @Test
    @Order(1)
    void actuatorIsOnTheManagementPortOnly() {
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 1);
        assertThat(managementPort).isNotEqualTo(port);
        management.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
        api.get().uri("/actuator/health").exchange().expectStatus().isNotFound();
    }

    @Test
    @Order(2)
    void requestMetricsArePublishedForPrometheus() {
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 1);
        api.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Http.chat("m", "hi", false, 2)).exchange().expectStatus().isOk();
        api.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Http.chat("not-served", "hi", false, 2)).exchange().expectStatus().isNotFound();
        String text = management.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(text)
                .contains("router_requests_total{backend=\"engine-0\",model=\"m\",status=\"200\"} 1.0")
                .contains("router_requests_total{backend=\"none\",model=\"unknown\",status=\"404\"} 1.0")
                .contains("router_request_duration_seconds_bucket{backend=\"engine-0\",model=\"m\",le=")
                .contains("router_request_first_byte_seconds_count{backend=\"engine-0\",model=\"m\"} 1")
                .contains("router_backend_in_flight{backend=\"engine-0\"} 0.0")
                .contains("router_backend_healthy{backend=\"engine-0\"} 1.0")
                .as("Spring's duplicate of router_request_duration is off").doesNotContain("http_server_requests")
                .as("no precise-index meters without KV events").doesNotContain("router_kv_index");
    }

    @Test
    @Order(3)
    void healthShowsComponentsButNoDetails() {
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 1);
        management.get().uri("/actuator/health").exchange().expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.components.backends.status").isEqualTo("UP")
                .jsonPath("$.components.backends.details").doesNotExist()
                .jsonPath("$.components.diskSpace.details").doesNotExist();
    }

    @Test
    @Order(3)
    void writesAreRefusedWithoutAWriteToken() {
        api.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Http.chat("m", "indexed ".repeat(40), false, 1)).exchange().expectStatus().isOk();
        management.delete().uri("/actuator/hashtrie").header("Authorization", "Bearer anything").exchange()
                .expectStatus().isForbidden()
                .expectBody().jsonPath("$.error.code").isEqualTo("writes_disabled");
        management.post().uri("/actuator/hashtrie").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"utilization\": 0.0}").exchange()
                .expectStatus().isForbidden();
        management.get().uri("/actuator/hashtrie").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.nodes").value(nodes -> assertThat(((Number) nodes).longValue()).isPositive())
                .jsonPath("$.precise").doesNotExist();
    }

    /** Last: it stops the only engine. */
    @Test
    @Order(4)
    void readinessFollowsTheFleet() {
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 1);
        management.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.components.backends.status").isEqualTo("UP")
                .jsonPath("$.components.backends.details").doesNotExist();
        fleet.get(0).close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> management.get()
                .uri("/actuator/health/readiness").exchange().expectStatus().isEqualTo(503));
        api.get().uri("/health").exchange().expectStatus().isEqualTo(503);
        management.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
    }
}
