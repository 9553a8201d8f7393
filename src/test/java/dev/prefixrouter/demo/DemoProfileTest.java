package dev.prefixrouter.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.stats.EngineStats;
import dev.prefixrouter.sim.SimRequest;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;

/** The {@code demo} profile as README runs it: simulated engines inside the router, serving at once. */
@RouterTest(properties = {"router.demo.engines=2", "router.demo.engine-model=fixed",
        "router.demo.time-to-first-token=1ms", "router.demo.inter-token-latency=1ms"})
@ActiveProfiles("demo")
class DemoProfileTest {

    @LocalServerPort
    int port;

    @Autowired
    Fleet fleet;

    @Test
    void demoEnginesJoinTheFleetAndServe() {
        await().atMost(Duration.ofSeconds(10)).until(() -> fleet.healthyCount() == 2);
        assertThat(fleet.engines()).extracting(Engine::id).containsExactly("demo-0", "demo-1");
        Http.client(port).get().uri("/v1/models").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.data[0].id").isEqualTo("demo-model");
        String stream = Http.client(port).post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Http.chat("demo-model", "Hello!", true, 4))
                .exchange().expectStatus().isOk()
                .returnResult(String.class).getResponseBody().collectList().block(Duration.ofSeconds(10))
                .toString();
        assertThat(stream).contains("[DONE]");
    }

    @Test
    void theRoutersTokenEstimateIsTheSimulatorsTokenizer() {
        // The demo's capacity estimates (engine blocks × block size × characters per token) are exact only if the
        // router's ratio is the one the simulated engines tokenize by.
        assertThat(EngineStats.CHARS_PER_TOKEN).isEqualTo(SimRequest.CHARS_PER_TOKEN);
    }
}
