package dev.prefixrouter.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.support.Http;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The KV-cache engine model behind the simulator's HTTP surface. */
class KvCacheSimulatorHttpTest {

    private static final String SYSTEM_PROMPT = "You answer questions about the router. ".repeat(40);

    private EngineSimulator engine;
    private WebTestClient client;

    @BeforeEach
    void start() {
        engine = EngineSimulator.start(EngineSimulator.Settings.loopback("m"),
                new KvCacheEngineModel(KvCacheModelConfig.defaults().withNumGpuBlocks(256).withTimeScale(20)));
        client = Http.client(engine.port());
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private String chat(String question, int maxTokens) {
        return "{\"model\":\"m\",\"max_tokens\":" + maxTokens + ",\"messages\":[{\"role\":\"system\",\"content\":\""
                + SYSTEM_PROMPT + "\"},{\"role\":\"user\",\"content\":\"" + question + "\"}]}";
    }

    private int cachedTokens(String body) {
        java.util.Map<String, Object> answer = client.post().uri(EngineSimulator.PREFIX_CACHE_PATH)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange().expectStatus().isOk()
                .expectBody(new org.springframework.core.ParameterizedTypeReference<java.util.Map<String, Object>>() { })
                .returnResult().getResponseBody();
        assertThat(answer).containsKeys("cached_tokens", "prompt_tokens");
        return (Integer) answer.get("cached_tokens");
    }

    @Test
    void prefixCacheFillsAndTheDebugEndpointReportsItWithoutTouchingIt() {
        String first = chat("What is a prefix?", 4);
        assertThat(cachedTokens(first)).isZero();
        client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON).bodyValue(first)
                .exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.usage.prompt_tokens_details.cached_tokens").isEqualTo(0);
        // Another question after the same system prompt: the shared blocks are cached.
        String second = chat("And what is a block?", 4);
        int cached = cachedTokens(second);
        assertThat(cached).isGreaterThanOrEqualTo(SYSTEM_PROMPT.length() / SimRequest.CHARS_PER_TOKEN - 16);
        client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON).bodyValue(second)
                .exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.usage.prompt_tokens_details.cached_tokens").isEqualTo(cached);
    }

    @Test
    void metricsUseVllmNames() {
        client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"m\",\"prompt\":\"hello\",\"max_tokens\":2}").exchange().expectStatus().isOk();
        String text = client.get().uri("/metrics").exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_PLAIN)
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(text).contains("vllm:num_requests_running{", "vllm:num_requests_waiting{",
                "vllm:kv_cache_usage_perc{", "vllm:prefix_cache_queries_total{", "vllm:prefix_cache_hits_total{",
                "vllm:prompt_tokens_total{", "vllm:generation_tokens_total{", "num_gpu_blocks=\"256\"",
                "vllm:time_to_first_token_seconds_bucket{", "vllm:e2e_request_latency_seconds_count{")
                .doesNotContain("gpu_cache_usage_perc", "gpu_prefix_cache");
    }

    @Test
    void requestLargerThanTheWholeCacheIs400() {
        client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":100000}")
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error.type").isEqualTo("BadRequestError")
                .jsonPath("$.error.message").value(m -> assertThat((String) m).contains("KV cache"));
    }
}
