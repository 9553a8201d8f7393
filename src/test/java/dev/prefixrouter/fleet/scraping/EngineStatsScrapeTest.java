package dev.prefixrouter.fleet.scraping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.stats.EngineStats;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.KvCacheEngineModel;
import dev.prefixrouter.sim.KvCacheModelConfig;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.Disposables;

/**
 * The router reads engines' own metrics: load another client put on an engine behind the router's back steers
 * least-loaded routing away from it, and the engine's KV capacity is known.
 */
@RouterTest(properties = {"router.routing.policy=least-loaded", "router.engine-stats.interval=100ms"})
class EngineStatsScrapeTest {

    private static final int BLOCKS = 4096;
    private static final SimulatedFleet fleet = new SimulatedFleet();

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        for (int i = 0; i < 2; i++) {
            fleet.start("m", new KvCacheEngineModel(KvCacheModelConfig.defaults()
                    .withNumGpuBlocks(BLOCKS).withMaxNumSeqs(2)));
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

    @Test
    void loadReportedByTheEngineSteersLeastLoadedRouting() {
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 2);
        Engine busy = routerFleet.find("engine-0").orElseThrow();
        EngineSimulator busyEngine = fleet.get(0);
        WebClient direct = WebClient.create(busyEngine.baseUrl());
        Disposable.Composite elsewhere = Disposables.composite();
        for (int i = 0; i < 8; i++) {
            elsewhere.add(direct.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"model\":\"m\",\"prompt\":\"other router " + i + "\",\"max_tokens\":5000}")
                    .retrieve().bodyToMono(String.class).subscribe(ok -> { }, error -> { }));
        }
        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                EngineStats stats = busy.engineStats();
                assertThat(stats).isNotNull();
                assertThat(stats.runningRequests()).hasValue(2);
                assertThat(stats.waitingRequests()).hasValue(6);
                // None of the engine's requests came through this router: its whole queue is someone else's.
                assertThat(stats.othersWaiting()).hasValue(6);
            });
            assertThat(busy.engineStats().kvCacheCapacityChars(4)).hasValue((long) BLOCKS * 16 * 4);
            assertThat(busy.inFlight()).isZero();

            long servedByIdle = fleet.get(1).requestsCompleted();
            for (int i = 0; i < 6; i++) {
                Http.client(port).post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue("{\"model\":\"m\",\"prompt\":\"through the router " + i + "\",\"max_tokens\":2}")
                        .exchange().expectStatus().isOk();
            }
            assertThat(fleet.get(1).requestsCompleted() - servedByIdle).isEqualTo(6);
        } finally {
            elsewhere.dispose();
        }
    }
}
