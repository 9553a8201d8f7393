package dev.prefixrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

/** How each policy spreads real traffic over one fast and one slow engine. */
class PolicySpreadTest {

    private static final int REQUESTS = 40;

    static void sendConcurrently(int port, int concurrency) {
        WebClient client = WebClient.create("http://127.0.0.1:" + port);
        Flux.range(0, REQUESTS)
                .flatMap(i -> client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Http.chat("m", "request " + i, false, 1))
                        .retrieve().toBodilessEntity(), concurrency)
                .blockLast(Duration.ofSeconds(60));
    }

    @Nested
    @RouterTest(properties = "router.routing.policy=round-robin")
    class RoundRobin {

        static final SimulatedFleet fleet = new SimulatedFleet();

        @DynamicPropertySource
        static void engines(DynamicPropertyRegistry registry) {
            fleet.start("m", Duration.ofMillis(1), Duration.ZERO);
            fleet.start("m", Duration.ofMillis(200), Duration.ZERO);
            fleet.register(registry);
        }

        @AfterAll
        static void stop() {
            fleet.close();
        }

        @LocalServerPort
        int port;

        @Autowired
        Fleet routerFleet;

        @Test
        void splitsEvenlyWhateverTheEnginesSpeed() {
            await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 2);
            sendConcurrently(port, 4);
            assertThat(fleet.engines()).extracting(EngineSimulator::requestsCompleted)
                    .containsExactly((long) REQUESTS / 2, (long) REQUESTS / 2);
        }
    }

    @Nested
    @RouterTest(properties = "router.routing.policy=least-loaded")
    class LeastLoaded {

        static final SimulatedFleet fleet = new SimulatedFleet();

        @DynamicPropertySource
        static void engines(DynamicPropertyRegistry registry) {
            fleet.start("m", Duration.ofMillis(1), Duration.ZERO);
            fleet.start("m", Duration.ofMillis(1000), Duration.ZERO);
            fleet.register(registry);
        }

        @AfterAll
        static void stop() {
            fleet.close();
        }

        @LocalServerPort
        int port;

        @Autowired
        Fleet routerFleet;

        @Test
        void sendsMostTrafficToTheEngineThatFinishesFirst() {
            await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 2);
            sendConcurrently(port, 4);
            long fast = fleet.get(0).requestsCompleted();
            long slow = fleet.get(1).requestsCompleted();
            assertThat(fast + slow).isEqualTo(REQUESTS);
            assertThat(slow).isLessThanOrEqualTo(REQUESTS / 5);
        }
    }
}
