package dev.prefixrouter.fleet.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.KubernetesApiServer;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The router starts although its API server does not answer yet: not ready, no engines, a clear warning; once the
 * API server is up the informer's retry lists the pods and the router becomes ready.
 */
@RouterTest(properties = {
        "router.discovery.type=kubernetes",
        "router.discovery.kubernetes.namespace=late",
        "router.discovery.kubernetes.label-selector=app=vllm",
        "router.discovery.kubernetes.model-label=model"})
@ExtendWith(OutputCaptureExtension.class)
class KubernetesApiUnreachableTest {

    private static final int API_PORT = freeLoopbackPort();
    private static final KubernetesApiServer kubernetes = new KubernetesApiServer("late");
    private static final SimulatedFleet engines = new SimulatedFleet();

    @DynamicPropertySource
    static void cluster(DynamicPropertyRegistry registry) {
        registry.add("router.discovery.kubernetes.api-server-url", () -> "http://127.0.0.1:" + API_PORT);
        SimulatedFleet.fastHealthChecks(registry);
    }

    @AfterAll
    static void stopCluster() {
        kubernetes.close();
        engines.close();
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    Fleet routerFleet;

    @Test
    void routerStartsWithoutItsApiServerAndDiscoversPodsOnceItAnswers(CapturedOutput output) {
        Http.client(managementPort).get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isEqualTo(503);
        Http.client(port).get().uri("/v1/models").exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.data.length()").isEqualTo(0);
        String warning = "pod discovery cannot list pods in namespace 'late' from http://127.0.0.1:" + API_PORT;
        await().atMost(Duration.ofSeconds(10)).until(() -> output.getOut().contains(warning));

        kubernetes.start(API_PORT);
        EngineSimulator engine = engines.start("late-model", Duration.ZERO, Duration.ZERO);
        kubernetes.createEnginePod("late-0", engine.port(), "late-model", true);

        // The informer retries with exponential backoff (1 s, 2 s, 4 s, ... apart), hence the longer wait.
        await().atMost(Duration.ofSeconds(45))
                .until(() -> routerFleet.find("late-0").map(Engine::healthy).orElse(false));
        Http.client(managementPort).get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
        assertThat(routerFleet.find("late-0").orElseThrow().models()).containsExactly("late-model");
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
