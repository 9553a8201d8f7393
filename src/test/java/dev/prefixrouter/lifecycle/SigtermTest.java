package dev.prefixrouter.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.PrefixRouterApplication;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.FixedLatencyModel;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The router as its own process, stopped by a real SIGTERM while streams are in flight: none of them is lost. */
class SigtermTest {

    private final EngineSimulator engine = EngineSimulator.start(EngineSimulator.Settings.loopback("m"),
            new FixedLatencyModel(Duration.ZERO, Duration.ofMillis(100)));
    private Process router;

    @AfterEach
    void stop() {
        if (router != null) {
            router.destroyForcibly();
        }
        engine.close();
    }

    @Test
    void sigtermLetsInFlightStreamsFinishThenExits() throws Exception {
        int port = freePort();
        Path log = Files.createTempFile("router", ".log");
        router = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), PrefixRouterApplication.class.getName(),
                "--server.port=" + port, "--management.server.port=" + freePort(),
                "--router.shutdown.grace-period=1s", "--spring.lifecycle.timeout-per-shutdown-phase=30s",
                "--router.health-check.interval=200ms",
                "--router.backends[0].id=e0", "--router.backends[0].url=" + engine.baseUrl())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        WebClient client = WebClient.create("http://127.0.0.1:" + port);
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> "UP".equals(client.get()
                .uri("/health").retrieve().bodyToMono(java.util.Map.class).block(Duration.ofSeconds(2))
                .get("status")));

        List<CompletableFuture<List<String>>> streams = Flux.range(0, 3)
                .map(i -> client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue("{\"model\":\"m\",\"stream\":true,\"max_tokens\":30,\"prompt\":\"p" + i + "\"}")
                        .retrieve().bodyToFlux(String.class).collectList().toFuture())
                .collectList().block();
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.activeRequests() == 3);

        router.destroy();   // SIGTERM on Linux
        for (CompletableFuture<List<String>> stream : streams) {
            assertThat(stream.get(30, TimeUnit.SECONDS)).hasSize(30 + 1).last().isEqualTo("[DONE]");
        }
        assertThat(router.waitFor(30, TimeUnit.SECONDS)).as("the router exits after draining").isTrue();
        assertThat(engine.requestsCancelled()).isZero();
        assertThat(Files.readString(log)).contains("readiness DOWN", "Graceful shutdown complete");
        assertThat(client.get().uri("/health").exchangeToMono(response -> Mono.just("answered"))
                .onErrorResume(error -> Mono.just("refused")).block(Duration.ofSeconds(5))).isEqualTo("refused");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
