package dev.prefixrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/** Many streams at once through the router: every one completes, in order, with nothing lost or mixed up. */
@RouterTest
class ConcurrentStreamsTest {

    private static final int STREAMS = 1000;
    private static final int TOKENS = 20;
    private static final SimulatedFleet fleet = new SimulatedFleet();

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        for (int i = 0; i < 4; i++) {
            fleet.start("test-model", Duration.ofMillis(50), Duration.ofMillis(10));
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
    void thousandConcurrentStreamsAllCompleteIntact() {
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 4);
        ConnectionProvider connections = ConnectionProvider.builder("streams").maxConnections(STREAMS).build();
        HttpClient client = HttpClient.create(connections).baseUrl("http://127.0.0.1:" + port);
        try {
            List<String> failures = Flux.range(0, STREAMS)
                    .flatMap(i -> stream(client, "stream number " + i), STREAMS)
                    .filter(problem -> !problem.isEmpty())
                    .collectList()
                    .block(Duration.ofMinutes(2));
            assertThat(failures).isEmpty();
        } finally {
            connections.disposeLater().block(Duration.ofSeconds(10));
        }
        long served = fleet.engines().stream().mapToLong(EngineSimulator::requestsCompleted).sum();
        assertThat(served).isEqualTo(STREAMS);
        await().atMost(Duration.ofSeconds(5)).until(() -> routerFleet.engines().stream()
                .mapToInt(Engine::inFlight).sum() == 0);
    }

    /** Streams one completion; emits "" when it arrived intact, else what was wrong. */
    private static Mono<String> stream(HttpClient client, String prompt) {
        String body = "{\"model\":\"test-model\",\"stream\":true,\"max_tokens\":" + TOKENS + ",\"prompt\":\""
                + prompt + "\"}";
        return client.headers(h -> h.set("content-type", "application/json"))
                .post().uri("/v1/completions")
                .send(reactor.netty.ByteBufFlux.fromString(Mono.just(body)))
                .responseSingle((response, content) -> content.asString()
                        .map(text -> response.status().code() == 200 ? check(prompt, text)
                                : prompt + ": HTTP " + response.status().code()));
    }

    private static String check(String prompt, String sse) {
        StringBuilder text = new StringBuilder();
        String[] events = sse.split("\n\n");
        for (int i = 0; i < events.length - 1; i++) {
            String event = events[i];
            int start = event.indexOf("\"text\":\"") + 8;
            text.append(event, start, event.indexOf('"', start));
        }
        if (!events[events.length - 1].equals("data: [DONE]")) {
            return prompt + ": no [DONE] at the end; " + events.length + " events, last: " + events[events.length - 1];
        }
        String expected = EngineSimulator.completionText(prompt, TOKENS);
        return expected.contentEquals(text) && events.length == TOKENS + 1 ? ""
                : prompt + ": got '" + text + "' in " + (events.length - 1) + " chunks";
    }
}
