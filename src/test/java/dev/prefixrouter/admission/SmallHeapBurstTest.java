package dev.prefixrouter.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.PrefixRouterApplication;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The project's reason to exist, as a user would meet it: a router process with a small heap
 * ({@code -Xmx256m -XX:+ExitOnOutOfMemoryError}) takes a burst of 200 concurrent streaming chats with 1 MB prompts
 * against slow engines. Every request either completes or gets the OpenAI-style overload answer, the process
 * survives, and it serves normally right after. (Before request memory was budgeted, this burst ended the process
 * with an OutOfMemoryError and every stream with it.) Engines run in their own process, as in production.
 */
class SmallHeapBurstTest {

    private static final int REQUESTS = 200;
    private static final int PROMPT_BYTES = 1 << 20;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void aBurstOfLongPromptsGetsCompletionsOrCleanRefusalsAndTheRouterSurvives() throws Exception {
        int enginePort = freePorts(3);
        Path engineLog = Files.createTempFile("engines", ".log");
        start(engineLog, "-Xmx2g", "sim", "--port=" + enginePort, "--engines=3", "--engine-model=fixed",
                "--ttft=0ms", "--itl=100ms", "--max-tokens=20");
        int port = freePorts(1);
        Path routerLog = Files.createTempFile("router", ".log");
        Process router = start(routerLog, "-Xmx256m", "--server.port=" + port,
                "--management.server.port=" + freePorts(1), "--router.health-check.interval=200ms",
                "--router.backends[0].id=e0", "--router.backends[0].url=http://127.0.0.1:" + enginePort,
                "--router.backends[1].id=e1", "--router.backends[1].url=http://127.0.0.1:" + (enginePort + 1),
                "--router.backends[2].id=e2", "--router.backends[2].url=http://127.0.0.1:" + (enginePort + 2));
        WebClient client = WebClient.builder().baseUrl("http://127.0.0.1:" + port)
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(1 << 20)).build();
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> "UP".equals(client.get()
                .uri("/health").retrieve().bodyToMono(Map.class).block(Duration.ofSeconds(2)).get("status")));

        byte[] filler = "lorem ipsum dolor sit amet ".repeat(PROMPT_BYTES / 27).getBytes(StandardCharsets.UTF_8);
        List<String> outcomes = Flux.range(0, REQUESTS)
                .flatMap(i -> chat(client, i, filler), REQUESTS)
                .collectList().block(Duration.ofMinutes(3));

        Map<String, Long> counts = outcomes.stream().collect(Collectors.groupingBy(Function.identity(),
                Collectors.counting()));
        assertThat(counts.keySet()).as("every request completes or is refused cleanly: %s", counts)
                .isSubsetOf("complete", "overloaded");
        assertThat(counts.get("complete")).as("the router keeps serving during the burst").isPositive();
        assertThat(router.isAlive()).as("the router survived; its log:%n%s", tail(routerLog)).isTrue();
        assertThat(Files.readString(routerLog)).doesNotContain("OutOfMemoryError");
        assertThat(chat(client, REQUESTS, "after the burst".getBytes(StandardCharsets.UTF_8))
                .block(Duration.ofSeconds(30))).isEqualTo("complete");
    }

    /** "complete", "overloaded", or what else happened. */
    private static Mono<String> chat(WebClient client, int i, byte[] filler) {
        byte[] head = ("{\"model\":\"demo-model\",\"stream\":true,\"max_tokens\":20,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"request " + i + ": ").getBytes(StandardCharsets.UTF_8);
        byte[] tail = "\"}]}".getBytes(StandardCharsets.UTF_8);
        DefaultDataBufferFactory buffers = DefaultDataBufferFactory.sharedInstance;
        Flux<DataBuffer> body = Flux.just(head, filler, tail).map(buffers::wrap); // the filler is shared, not copied
        return client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .contentLength(head.length + filler.length + tail.length)
                .body(body, DataBuffer.class)
                .exchangeToMono(response -> response.bodyToMono(String.class).defaultIfEmpty("")
                        .map(text -> response.statusCode().value() == 200 && text.endsWith("data: [DONE]\n\n")
                                ? "complete"
                                : response.statusCode().value() == 503 && text.contains("\"code\":\"overloaded\"")
                                        ? "overloaded" : "HTTP " + response.statusCode().value() + " " + text))
                .onErrorResume(error -> Mono.just(error.toString()));
    }

    private Process start(Path log, String heap, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), heap, "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                PrefixRouterApplication.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(process);
        return process;
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** The first of {@code count} consecutive free ports. */
    private static int freePorts(int count) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first;
            try (ServerSocket socket = new ServerSocket(0)) {
                first = socket.getLocalPort();
            }
            if (first + count > 65535) {
                continue;
            }
            boolean free = true;
            for (int p = first; p < first + count && free; p++) {
                try (ServerSocket probe = new ServerSocket(p)) {
                    probe.setReuseAddress(true);
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return first;
            }
        }
        throw new IOException("no " + count + " consecutive free ports");
    }
}
