package dev.prefixrouter.kvevents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.EngineSpec;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetProperties;
import dev.prefixrouter.routing.PromptTokens;
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
import org.awaitility.Awaitility;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
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

    private static int[] ids(Mono<PromptTokens> tokens) {
        PromptTokens known = tokens.block(Duration.ofSeconds(5));
        if (known == null) {
            return null;
        }
        assertThat(known.isWhole()).as("the whole prompt's tokens").isTrue();
        return known.ids();
    }

    @Test
    void sendsTheMessagesAsTheyStandAndReadsTheTokens() {
        answer.set(Mono.just("{\"count\":3,\"max_model_len\":4096,\"tokens\":[7,8,9],\"token_strs\":null}"));
        String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi \\\"you\\\"\"}],\"stream\":true}";

        int[] tokens = ids(tokenizer.tokens("m", chat(body), List.of(engine)));

        assertThat(tokens).containsExactly(7, 8, 9);
        assertThat(received).containsExactly("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Hi \\\"you\\\"\"}],\"add_generation_prompt\":true}");
    }

    @Test
    void aCompletionPromptIsSentAsAPrompt() {
        answer.set(Mono.just("{\"tokens\":[1]}"));
        byte[] body = "{\"prompt\":\"Once\",\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(ids(tokenizer.tokens("m", new TokenizeInput(body, 10, -1, false), List.of(engine))))
                .containsExactly(1);
        assertThat(received).containsExactly("{\"model\":\"m\",\"prompt\":\"Once\"}");
    }

    @Test
    void aRepeatedPromptIsAnsweredFromTheCache() {
        answer.set(Mono.just("{\"tokens\":[4,5]}"));
        String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"again\"}]}";

        tokenizer.tokens("m", chat(body), List.of(engine)).block(Duration.ofSeconds(5));
        int[] second = ids(tokenizer.tokens("m", chat(body), List.of(engine)));

        assertThat(second).containsExactly(4, 5);
        assertThat(received).hasSize(1);
        assertThat(registry.get("router.kv.tokenizer.cache.requests").tag("result", "hit").counter().count())
                .isEqualTo(1);
    }

    @Test
    void aSlowTokenizerFallsBackEmptyWithinTheTimeout() {
        answer.set(Mono.delay(Duration.ofSeconds(3)).thenReturn("{\"tokens\":[1]}"));
        long start = System.nanoTime();

        int[] tokens = ids(tokenizer.tokens("m", chat("{\"messages\":[]}"), List.of(engine)));

        assertThat(tokens).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(registry.get("router.kv.tokenizer.fallbacks").tag("reason", "timeout").counter().count())
                .isEqualTo(1);
    }

    @Test
    void anErrorOrGarbageFallsBackEmpty() {
        answer.set(Mono.just("{\"tokens\":[1,\"x\"]}"));
        assertThat(ids(tokenizer.tokens("m", chat("{\"messages\":[1]}"), List.of(engine)))).isNull();
        answer.set(Mono.just("not json"));
        assertThat(ids(tokenizer.tokens("m", chat("{\"messages\":[2]}"), List.of(engine)))).isNull();
        server.disposeNow();
        assertThat(ids(tokenizer.tokens("m", chat("{\"messages\":[3]}"), List.of(engine)))).isNull();
        assertThat(registry.get("router.kv.tokenizer.fallbacks").tag("reason", "error").counter().count())
                .isEqualTo(3);
    }

    @Test
    void aPromptAboveTheLimitIsNotTokenized() {
        EngineTokenizer small = new EngineTokenizer(new KvEventsProperties.Tokenizer("", Duration.ofMillis(300),
                DataSize.ofKilobytes(64), DataSize.ofBytes(64), 4), new SimpleMeterRegistry());
        answer.set(Mono.just("{\"tokens\":[1]}"));
        try {
            assertThat(ids(small.tokens("m", chat("{\"messages\":[\"" + "x".repeat(100) + "\"]}"), List.of(engine))))
                    .isNull();
            assertThat(received).isEmpty();
        } finally {
            small.close();
        }
    }

    /** A chat body of these message contents (user and assistant alternating), as a client serializes it. */
    private static String conversation(String... contents) {
        StringBuilder body = new StringBuilder("{\"model\":\"m\",\"messages\":[");
        for (int i = 0; i < contents.length; i++) {
            body.append(i == 0 ? "" : ",").append("{\"role\":\"").append(i % 2 == 0 ? "user" : "assistant")
                    .append("\",\"content\":\"").append(contents[i]).append("\"}");
        }
        return body.append("],\"stream\":true}").toString();
    }

    private double count(String name, String result) {
        return registry.get(name).tag("result", result).counter().count();
    }

    @Test
    void aConversationsNextTurnIsRoutedByItsEarlierTurnsWhileTheWholeIsTokenizedAfter() {
        String system = "s".repeat(400);
        answer.set(Mono.just("{\"tokens\":[1,2,3]}"));
        ids(tokenizer.tokens("m", chat(conversation(system, "q1")), List.of(engine)));

        Sinks.One<String> whole = Sinks.one();
        answer.set(whole.asMono());
        PromptTokens next = tokenizer.tokens("m", chat(conversation(system, "q1", "a1", "q2")), List.of(engine))
                .block(Duration.ofSeconds(5));

        assertThat(next.ids()).as("the first turn's tokens, while the tokenizer has not answered")
                .containsExactly(1, 2, 3);
        assertThat(next.share()).isGreaterThan(0.8).isLessThan(1);
        assertThat(count("router.kv.tokenizer.cache.requests", "earlier_turns")).isEqualTo(1);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 2);
        assertThat(received).last().asString().contains("\"a1\"", "\"q2\"");

        whole.tryEmitValue("{\"tokens\":[1,2,3,4,5]}");
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> count("router.kv.tokenizer.refreshes", "cached") == 1);
        assertThat(ids(tokenizer.tokens("m", chat(conversation(system, "q1", "a1", "q2")), List.of(engine))))
                .as("the same turn again: the whole prompt's tokens, from the cache").containsExactly(1, 2, 3, 4, 5);
        assertThat(received).hasSize(2);
    }

    @Test
    void earlierTurnsThatMakeTooLittleOfTheRequestAreNotEnough() {
        answer.set(Mono.just("{\"tokens\":[1]}"));
        ids(tokenizer.tokens("m", chat(conversation("short", "q1")), List.of(engine)));
        answer.set(Mono.just("{\"tokens\":[1,2]}"));

        int[] next = ids(tokenizer.tokens("m", chat(conversation("short", "q1", "a long answer ".repeat(20), "q2")),
                List.of(engine)));

        assertThat(next).as("waited for the whole prompt's tokens").containsExactly(1, 2);
        assertThat(count("router.kv.tokenizer.cache.requests", "miss")).isEqualTo(2);
        assertThat(count("router.kv.tokenizer.cache.requests", "earlier_turns")).isZero();
    }

    @Test
    void tokenizingAfterTheRequestTakesHalfTheConnectionsAtMost() {
        EngineTokenizer two = new EngineTokenizer(new KvEventsProperties.Tokenizer("", Duration.ofSeconds(2),
                DataSize.ofKilobytes(64), DataSize.ofMegabytes(1), 2), registry);
        try {
            answer.set(Mono.just("{\"tokens\":[1]}"));
            String first = "first user ".repeat(40);
            String second = "second user ".repeat(40);
            ids(two.tokens("m", chat(conversation(first, "q1")), List.of(engine)));
            ids(two.tokens("m", chat(conversation(second, "q1")), List.of(engine)));
            answer.set(Mono.never());

            assertThat(two.tokens("m", chat(conversation(first, "q1", "a1", "q2")), List.of(engine))
                    .block(Duration.ofSeconds(5)).share()).isLessThan(1);
            assertThat(two.tokens("m", chat(conversation(second, "q1", "a1", "q2")), List.of(engine))
                    .block(Duration.ofSeconds(5)).share()).isLessThan(1);

            assertThat(count("router.kv.tokenizer.refreshes", "skipped")).isEqualTo(1);
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> count("router.kv.tokenizer.refreshes", "failed") == 1);
        } finally {
            two.close();
        }
    }

    @Test
    void aConversationsLeadingMessagesHashAsAnEarlierRequestWhole() {
        long[] earlier = EngineTokenizer.keys("m", chat(conversation("sys", "q1")));
        long[] later = EngineTokenizer.keys("m", chat(conversation("sys", "q1", "a1", "q2")));
        String prettyStart = "{\"messages\": [\n  {\"role\":\"user\",\"content\":\"sys\"} ,\n"
                + "  {\"role\":\"assistant\",\"content\":\"q1\"}";
        long[] pretty = EngineTokenizer.keys("m", chat(prettyStart + "\n]}"));
        long[] prettyLater = EngineTokenizer.keys("m", chat(prettyStart
                + ",\n  {\"role\":\"user\",\"content\":\"a1\"}\n]}"));

        assertThat(later).hasSize(4);
        assertThat(later[1]).isEqualTo(earlier[1]);
        assertThat(later[0]).isEqualTo(earlier[0]).isNotEqualTo(later[1]);
        assertThat(later[3]).isNotEqualTo(earlier[1]);
        assertThat(prettyLater[1]).as("whitespace before the comma or the bracket is not the message's")
                .isEqualTo(pretty[1]);
        assertThat(EngineTokenizer.keys("other", chat(conversation("sys", "q1")))[1]).isNotEqualTo(earlier[1]);
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
