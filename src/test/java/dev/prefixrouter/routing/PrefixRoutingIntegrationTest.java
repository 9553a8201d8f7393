package dev.prefixrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.KvCacheEngineModel;
import dev.prefixrouter.sim.KvCacheModelConfig;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

/**
 * Prefix-aware routing (the default policy) in front of engines that really cache prefixes: a shared system prompt
 * lands on one engine and hits its cache, the index shows it, and the prompt spreads once that engine is loaded.
 */
@RouterTest(properties = {"router.engine-stats.interval=200ms", "router.management.write-token=test-write-token"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrefixRoutingIntegrationTest {

    private static final String SYSTEM = "You are the support assistant of a large online shop. Answer briefly. "
            .repeat(30);
    private static final SimulatedFleet fleet = new SimulatedFleet();
    private static final String WRITE_TOKEN = "Bearer test-write-token";

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        for (int i = 0; i < 3; i++) {
            fleet.start("m", new KvCacheEngineModel(KvCacheModelConfig.defaults().withNumGpuBlocks(4096)));
        }
        fleet.register(registry);
    }

    @AfterAll
    static void stopEngines() {
        fleet.close();
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    Fleet routerFleet;

    WebTestClient api;
    WebTestClient management;

    @BeforeEach
    void awaitFleet() {
        api = Http.client(port);
        management = Http.client(managementPort);
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 3);
    }

    private String chat(String question, int maxTokens) {
        return "{\"model\":\"m\",\"max_tokens\":" + maxTokens + ",\"messages\":[{\"role\":\"system\",\"content\":\""
                + SYSTEM + "\"},{\"role\":\"user\",\"content\":\"" + question + "\"}]}";
    }

    private Map<String, Object> json(WebTestClient client, String uri) {
        return client.get().uri(uri).exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult()
                .getResponseBody();
    }

    @Test
    @Order(1)
    void aSharedSystemPromptLandsOnOneEngineAndHitsItsCache() {
        for (int i = 0; i < 6; i++) {
            api.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(chat("Where is my order number " + i + "?", 2))
                    .exchange().expectStatus().isOk();
        }
        List<Long> served = fleet.engines().stream().map(EngineSimulator::requestsCompleted).toList();
        assertThat(served).containsExactlyInAnyOrder(6L, 0L, 0L);

        // The five that followed the first found the system prompt cached on that engine.
        EngineSimulator holder = fleet.engines().stream().filter(e -> e.requestsCompleted() == 6).findFirst()
                .orElseThrow();
        String metrics = WebClient.create(holder.baseUrl()).get().uri("/metrics").retrieve()
                .bodyToMono(String.class).block(Duration.ofSeconds(5));
        double hits = metrics.lines().filter(l -> l.startsWith("vllm:prefix_cache_hits_total{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat(hits).isGreaterThanOrEqualTo(5.0 * (SYSTEM.length() / 4 - 16));

        Map<String, Object> trie = json(management, "/actuator/hashtrie");
        assertThat((Integer) trie.get("endpointsTracked")).isEqualTo(3);
        assertThat(((Number) trie.get("nodes")).longValue()).isGreaterThanOrEqualTo(SYSTEM.length() / 128);
        assertThat(((Number) trie.get("accountedBytes")).longValue()).isPositive()
                .isLessThanOrEqualTo(((Number) trie.get("budgetBytes")).longValue());
        @SuppressWarnings("unchecked")
        Map<String, Object> matches = (Map<String, Object>) trie.get("matches");
        assertThat(((Number) matches.get("requests")).longValue()).isEqualTo(6);
        assertThat(((Number) matches.get("hits")).longValue()).isEqualTo(5);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> engines = (List<Map<String, Object>>) trie.get("endpoints");
        assertThat(engines).filteredOn(e -> ((Number) e.get("attributedChars")).longValue() > 0).hasSize(1);

        String prometheus = management.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(prometheus).contains("router_hashtrie_nodes ", "router_hashtrie_bytes ",
                "router_hashtrie_budget_bytes ", "router_hashtrie_utilization ", "router_hashtrie_evicted_nodes_total ",
                "router_hashtrie_match_ratio_count 6", "router_hashtrie_match_ratio_bucket{le=\"1.0\"} 6");
    }

    @Test
    @Order(2)
    void theSharedPromptSpreadsWhenItsEngineIsLoaded() {
        long[] before = fleet.engines().stream().mapToLong(EngineSimulator::requestsCompleted).toArray();
        WebClient client = WebClient.create("http://127.0.0.1:" + port);
        Flux.range(0, 40)
                .flatMap(i -> client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(chat("Concurrent question " + i, 150)).retrieve().toBodilessEntity(), 40)
                .blockLast(Duration.ofMinutes(1));
        long enginesUsed = java.util.stream.IntStream.range(0, 3)
                .filter(i -> fleet.get(i).requestsCompleted() > before[i]).count();
        assertThat(enginesUsed).isGreaterThanOrEqualTo(2);
    }

    @Test
    @Order(3)
    void operatorsCanEvictAndClearTheIndex() {
        management.post().uri("/actuator/hashtrie").contentType(MediaType.APPLICATION_JSON)
                .header("Authorization", WRITE_TOKEN)
                .bodyValue("{\"utilization\": 0.0}").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.nodes").value(n -> assertThat(((Number) n).longValue()).isPositive());
        assertThat(((Number) json(management, "/actuator/hashtrie").get("nodes")).longValue()).isZero();

        api.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(chat("Refill", 1)).exchange().expectStatus().isOk();
        assertThat(((Number) json(management, "/actuator/hashtrie").get("nodes")).longValue()).isPositive();
        management.delete().uri("/actuator/hashtrie").header("Authorization", WRITE_TOKEN).exchange()
                .expectStatus().is2xxSuccessful();
        assertThat(((Number) json(management, "/actuator/hashtrie").get("nodes")).longValue()).isZero();

        management.post().uri("/actuator/hashtrie").contentType(MediaType.APPLICATION_JSON)
                .header("Authorization", WRITE_TOKEN)
                .bodyValue("{\"utilization\": 1.5}").exchange().expectStatus().isBadRequest();
    }
}
