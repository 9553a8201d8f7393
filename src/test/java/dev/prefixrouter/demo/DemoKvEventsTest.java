package dev.prefixrouter.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.kvevents.EngineEventStats;
import dev.prefixrouter.kvevents.EventApplier;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;

/**
 * The demo with precise routing, as README runs it: the demo's engines publish KV-cache events and the router
 * follows them with no endpoint configured.
 */
@RouterTest(properties = {"router.demo.engines=2", "router.demo.num-gpu-blocks=512",
        "router.kv-events.enabled=true", "router.routing.policy=precise"})
@ActiveProfiles("demo")
class DemoKvEventsTest {

    @LocalServerPort
    int port;

    @Autowired
    Fleet fleet;

    @Autowired
    EventApplier events;

    @Test
    void demoEnginesPublishAndTheRouterFollows() {
        await().atMost(Duration.ofSeconds(10)).until(() -> fleet.healthyCount() == 2);
        for (int i = 0; i < 3; i++) {
            Http.client(port).post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Http.chat("demo-model", "Tell me about the demo. ".repeat(40) + i, false, 2))
                    .exchange().expectStatus().isOk();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> events.stats().stream()
                .mapToLong(EngineEventStats::storedBlocks).sum() >= 3);
        assertThat(events.stats()).extracting(EngineEventStats::engine).contains("demo-0", "demo-1");
        assertThat(events.stats()).filteredOn(EngineEventStats::live).isNotEmpty();
    }
}
