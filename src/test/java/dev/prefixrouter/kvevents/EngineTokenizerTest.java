package dev.prefixrouter.kvevents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.EngineSpec;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetProperties;
import dev.prefixrouter.routing.TokenizeInput;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** The token source against a real loopback HTTP server standing in for vLLM's {@code /tokenize}. */
class EngineTokenizerTest {

    private final Queue<String> received = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Mono<String>> answer = new AtomicReference<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private DisposableServer server;
    private EngineTokenizer tokenizer;
    private Engine engine;

    @BeforeEach
    void start() {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.post("/tokenize", (request, response) -> request.receive().aggregate()
                        .asString(StandardCharsets.UTF_8)
                        .flatMap(body -> {
                            received.add(body);
                            return answer.get();
                        })
                        .flatMap(json -> response.header("content-type", "application/json").sendString(
                                Mono.just(json)).then())))
                .bindNow();
        engine = new Fleet(new FleetProperties(List.of())).add(new EngineSpec("e1",
                URI.create("http://127.0.0.1:" + server.port()), List.of("m"), null));
        tokenizer = new EngineTokenizer(new KvEventsProperties.Tokenizer("", Duration.ofMillis(300),
                DataSize.ofKilobytes(64)), registry);
    }

    @AfterEach
    void stop() {
        tokenizer.close();
        server.disposeNow();
    }

    private static TokenizeInput chat(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        int start = body.indexOf('[');
        return new TokenizeInput(bytes, start, body.lastIndexOf(']') + 1, true);
    }

    @Test
    void sendsTheMessagesAsTheyStandAndReadsTheTokens() {
        answer.set(Mono.just("{\"count\":3,\"max_model_len\":4096,\"tokens\":[7,8,9],\"token_strs\":null}"));
        String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi \\\"you\\\"\"}],\"stream\":true}";

        int[] tokens = tokenizer.tokens("m", chat(body), List.of(engine)).block(Duration.ofSeconds(5));

        assertThat(tokens).containsExactly(7, 8, 9);
        assertThat(received).containsExactly("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Hi \\\"you\\\"\"}],\"add_generation_prompt\":true}");
    }

    @Test
    void aCompletionPromptIsSentAsAPrompt() {
        answer.set(Mono.just("{\"tokens\":[1]}"));
        byte[] body = "{\"prompt\":\"Once\",\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(tokenizer.tokens("m", new TokenizeInput(body, 10, -1, false), List.of(engine))
                .block(Duration.ofSeconds(5))).containsExactly(1);
        assertThat(received).containsExactly("{\"model\":\"m\",\"prompt\":\"Once\"}");
    }

    @Test
    void aRepeatedPromptIsAnsweredFromTheCache() {
        answer.set(Mono.just("{\"tokens\":[4,5]}"));
        String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"again\"}]}";

        tokenizer.tokens("m", chat(body), List.of(engine)).block(Duration.ofSeconds(5));
        int[] second = tokenizer.tokens("m", chat(body), List.of(engine)).block(Duration.ofSeconds(5));

        assertThat(second).containsExactly(4, 5);
        assertThat(received).hasSize(1);
        assertThat(registry.get("router.kv.tokenizer.cache.requests").tag("result", "hit").functionCounter().count())
                .isEqualTo(1);
    }

    @Test
    void aSlowTokenizerFallsBackEmptyWithinTheTimeout() {
        answer.set(Mono.delay(Duration.ofSeconds(3)).thenReturn("{\"tokens\":[1]}"));
        long start = System.nanoTime();

        int[] tokens = tokenizer.tokens("m", chat("{\"messages\":[]}"), List.of(engine)).block(Duration.ofSeconds(5));

        assertThat(tokens).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(registry.get("router.kv.tokenizer.fallbacks").tag("reason", "timeout").counter().count())
                .isEqualTo(1);
    }

    @Test
    void anErrorOrGarbageFallsBackEmpty() {
        answer.set(Mono.just("{\"tokens\":[1,\"x\"]}"));
        assertThat(tokenizer.tokens("m", chat("{\"messages\":[1]}"), List.of(engine)).block(Duration.ofSeconds(5)))
                .isNull();
        answer.set(Mono.just("not json"));
        assertThat(tokenizer.tokens("m", chat("{\"messages\":[2]}"), List.of(engine)).block(Duration.ofSeconds(5)))
                .isNull();
        server.disposeNow();
        assertThat(tokenizer.tokens("m", chat("{\"messages\":[3]}"), List.of(engine)).block(Duration.ofSeconds(5)))
                .isNull();
        assertThat(registry.get("router.kv.tokenizer.fallbacks").tag("reason", "error").counter().count())
                .isEqualTo(3);
    }

    @Test
    void aPromptAboveTheLimitIsNotTokenized() {
        EngineTokenizer small = new EngineTokenizer(new KvEventsProperties.Tokenizer("", Duration.ofMillis(300),
                DataSize.ofKilobytes(64), DataSize.ofBytes(64), 4), new SimpleMeterRegistry());
        answer.set(Mono.just("{\"tokens\":[1]}"));
        try {
            assertThat(small.tokens("m", chat("{\"messages\":[\"" + "x".repeat(100) + "\"]}"), List.of(engine))
                    .block(Duration.ofSeconds(5))).isNull();
            assertThat(received).isEmpty();
        } finally {
            small.close();
        }
    }

    @Test
    void theCacheKeepsWithinItsBudget() {
        TokenCache cache = new TokenCache(1000);
        for (int i = 0; i < 100; i++) {
            cache.put(i, new int[50]);
            assertThat(cache.accountedBytes()).isLessThanOrEqualTo(1000);
        }
        assertThat(cache.size()).isEqualTo(1000 / (int) TokenCache.bytesOf(new int[50]));
        assertThat(cache.get(99)).isNotNull();
        assertThat(cache.get(0)).isNull();
        cache.put(7, new int[1000]);
        assertThat(cache.get(7)).isNull();
    }
}
