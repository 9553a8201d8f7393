package dev.prefixrouter.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.PrefixRouterApplication;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.FixedLatencyModel;
import dev.prefixrouter.support.Http;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Shutdown as SIGTERM triggers it (the context closing): readiness drops at once, new requests are still served
 * during the grace period, then the socket closes and every stream in flight still runs to its end.
 */
class GracefulDrainTest {

    private static final int STREAMS = 5;
    private final EngineSimulator engine = EngineSimulator.start(EngineSimulator.Settings.loopback("m"),
            new FixedLatencyModel(Duration.ZERO, Duration.ofMillis(100)));
    private ConfigurableApplicationContext router;

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        engine.close();
    }

    @Test
    void inFlightStreamsFinishAndNewRequestsAreServedUntilTheGracePeriodEnds() throws Exception {
        router = new SpringApplicationBuilder(PrefixRouterApplication.class).run(
                "--server.port=0", "--management.server.port=0", "--server.shutdown=graceful",
                "--spring.lifecycle.timeout-per-shutdown-phase=30s", "--router.shutdown.grace-period=2s",
                "--router.health-check.interval=200ms",
                "--router.backends[0].id=e0", "--router.backends[0].url=" + engine.baseUrl());
        int port = ((WebServerApplicationContext) router).getWebServer().getPort();
        Fleet fleet = router.getBean(Fleet.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> fleet.healthyCount() == 1);

        WebClient client = WebClient.create("http://127.0.0.1:" + port);
        List<CompletableFuture<List<String>>> streams = Flux.range(0, STREAMS)
                .map(i -> client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Http.chat("m", "long answer " + i, true, 40))
                        .retrieve().bodyToFlux(String.class).collectList().toFuture())
                .collectList().block();
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.activeRequests() == STREAMS);

        long closing = System.nanoTime();
        CompletableFuture<Void> closed = CompletableFuture.runAsync(router::close);
        await().atMost(Duration.ofSeconds(1)).until(() -> router.getBean(GracefulDrain.class).isRunning() == false);

        // Within the grace period the router still takes new requests, but tells load balancers it is leaving.
        Http.client(port).get().uri("/health").exchange().expectStatus().isEqualTo(503)
                .expectBody().jsonPath("$.status").isEqualTo("DRAINING");
        Http.client(port).post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"m\",\"prompt\":\"late\",\"max_tokens\":1}")
                .exchange().expectStatus().isOk();
        assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(2));

        // After it, the listening socket is closed while the streams are still running.
        await().atMost(Duration.ofSeconds(10)).until(() -> refusesConnections(port));
        assertThat(closed).isNotDone();
        assertThat(engine.activeRequests()).isPositive();

        closed.get(30, java.util.concurrent.TimeUnit.SECONDS);
        for (CompletableFuture<List<String>> stream : streams) {
            List<String> events = stream.get(1, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(events).hasSize(1 + 40 + 1).last().isEqualTo("[DONE]");
        }
        assertThat(engine.requestsCancelled()).isZero();
    }

    @Test
    void aStreamStillRunningWhenTheDrainTimesOutEndsWithAnErrorEventAndACleanClose() throws Exception {
        router = new SpringApplicationBuilder(PrefixRouterApplication.class).run(
                "--server.port=0", "--management.server.port=0", "--server.shutdown=graceful",
                "--spring.lifecycle.timeout-per-shutdown-phase=4s", "--router.shutdown.grace-period=1s",
                "--router.health-check.interval=200ms",
                "--router.backends[0].id=e0", "--router.backends[0].url=" + engine.baseUrl());
        int port = ((WebServerApplicationContext) router).getWebServer().getPort();
        Fleet fleet = router.getBean(Fleet.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> fleet.healthyCount() == 1);

        // 200 tokens 100 ms apart: 20 s, far longer than the grace period and the drain timeout together.
        CompletableFuture<List<String>> stream = WebClient.create("http://127.0.0.1:" + port).post()
                .uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Http.chat("m", "a very long answer", true, 200))
                .retrieve().bodyToFlux(String.class).collectList().toFuture();
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.activeRequests() == 1);

        CompletableFuture.runAsync(router::close);
        List<String> events = stream.get(15, java.util.concurrent.TimeUnit.SECONDS); // completes: a clean close
        assertThat(events.size()).isBetween(10, 100);
        assertThat(events.get(events.size() - 1)).contains("\"code\":\"router_shutting_down\"");
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.requestsCancelled() == 1);
    }

    private static boolean refusesConnections(int port) {
        return Boolean.TRUE.equals(WebClient.create("http://127.0.0.1:" + port).get().uri("/health")
                .exchangeToMono(response -> Mono.just(false))
                .onErrorResume(error -> Mono.just(true))
                .block(Duration.ofSeconds(2)));
    }
}
