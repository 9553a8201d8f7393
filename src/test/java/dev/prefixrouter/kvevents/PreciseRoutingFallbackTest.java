package dev.prefixrouter.kvevents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.PrefixRouterApplication;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.sim.KvCacheEngineModel;
import dev.prefixrouter.sim.KvCacheModelConfig;
import dev.prefixrouter.sim.KvEventsConfig;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The precise policy never fails a request for want of tokens: with its tokenizer unreachable every request is
 * routed by the approximate index, and the fallback is counted. And the policy refuses to start without events.
 */
@RouterTest(properties = {"router.routing.policy=precise", "router.kv-events.enabled=true",
        "router.kv-events.tokenizer.url=http://127.0.0.1:9", "router.kv-events.tokenizer.timeout=200ms"})
class PreciseRoutingFallbackTest {

    private static final SimulatedFleet fleet = new SimulatedFleet();

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        for (int i = 0; i < 2; i++) {
            fleet.start("m", new KvCacheEngineModel(KvCacheModelConfig.defaults().withNumGpuBlocks(512),
                    KvEventsConfig.loopback()));
        }
        fleet.register(registry);
    }

    @AfterAll
    static void stopEngines() {
        fleet.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    Fleet routerFleet;

    @Autowired
    MeterRegistry registry;

    @Test
    void anUnreachableTokenizerRoutesApproximatelyAndFailsNothing() {
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 2);
        for (int i = 0; i < 4; i++) {
            Http.client(port).post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Http.chat("m", "Question " + i + " " + "context ".repeat(100), i % 2 == 0, 2))
                    .exchange().expectStatus().isOk();
        }
        assertThat(registry.get("router.kv.tokenizer.fallbacks").tag("reason", "error").counter().count())
                .isEqualTo(4);
    }

    @Test
    void thePolicyNeedsTheEvents() {
        Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(PrefixRouterApplication.class).run(
                "--router.routing.policy=precise", "--server.port=0", "--management.server.port=0",
                "--spring.main.banner-mode=off", "--router.demo.enabled=false"));
        assertThat(NestedExceptionUtils.getMostSpecificCause(failure).getMessage())
                .contains("router.kv-events.enabled=true");
    }
}
