package dev.prefixrouter.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.prefixrouter.prometheus.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VllmMetricsTextTest {

    private static final Set<String> VLLM_NAMES = Set.of(
            "vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc",
            "vllm:prefix_cache_queries_total", "vllm:prefix_cache_hits_total", "vllm:prompt_tokens_total",
            "vllm:generation_tokens_total", "vllm:cache_config_info", "vllm:time_to_first_token_seconds",
            "vllm:inter_token_latency_seconds", "vllm:e2e_request_latency_seconds",
            "vllm:request_queue_time_seconds");

    private final KvCacheEngineModel model =
            KvCacheEngineModel.manual(KvCacheModelConfig.defaults().withNumGpuBlocks(64));

    @AfterEach
    void close() {
        model.close();
    }

    @Test
    void exportsExactlyTheCurrentVllmNamesAsValidPrometheusText() {
        String prompt = Prompts.blocksAndTail("doc", 2, 8);
        new TokenRecorder("a", model.generate(new SimRequest(prompt, 3)));
        model.stepper().runUntilIdle(10);
        new TokenRecorder("b", model.generate(new SimRequest(prompt, 3)));
        model.stepper().runUntilIdle(10);

        Map<String, PrometheusText.Family> families = PrometheusText.parse(model.metricsText("llama"));

        assertThat(families.keySet()).containsExactlyInAnyOrderElementsOf(VLLM_NAMES);
        families.values().forEach(family -> assertThat(family.samples()).isNotEmpty());
        assertThat(type(families, "vllm:prefix_cache_hits_total")).isEqualTo("counter");
        assertThat(type(families, "vllm:kv_cache_usage_perc")).isEqualTo("gauge");
        assertThat(type(families, "vllm:cache_config_info")).isEqualTo("gauge");
        assertThat(type(families, "vllm:inter_token_latency_seconds")).isEqualTo("histogram");
        for (PrometheusText.Family family : families.values()) {
            for (PrometheusText.Sample sample : family.samples()) {
                assertThat(sample.labels()).containsEntry("engine", "0");
                if (!family.name().equals("vllm:cache_config_info")) {
                    assertThat(sample.labels()).containsEntry("model_name", "llama");
                }
                List<String> names = new ArrayList<>(sample.labels().keySet());
                assertThat(names).as("labels sorted as prometheus_client writes them").isSorted();
            }
        }
        assertThat(value(families, "vllm:prefix_cache_queries_total")).isEqualTo(2 * 34);
        assertThat(value(families, "vllm:prefix_cache_hits_total")).isEqualTo(32);
        assertThat(value(families, "vllm:prompt_tokens_total")).isEqualTo(2 * 34);
        assertThat(value(families, "vllm:generation_tokens_total")).isEqualTo(6);
        assertThat(value(families, "vllm:num_requests_running")).isZero();
        checkHistogram(families.get("vllm:time_to_first_token_seconds"), 22, 2);
        checkHistogram(families.get("vllm:inter_token_latency_seconds"), 19, 4);
        checkHistogram(families.get("vllm:e2e_request_latency_seconds"), 23, 2);
        checkHistogram(families.get("vllm:request_queue_time_seconds"), 23, 2);
    }

    @Test
    void servesNoRemovedNames() {
        assertThat(model.metricsText("m")).doesNotContain("gpu_cache_usage_perc", "gpu_prefix_cache",
                "vllm:time_per_output_token_seconds");
    }

    @Test
    void writesTheLinesAsVllmDoes() {
        assertThat(model.metricsText("meta-llama/Llama-3.1-8B").lines()).contains(
                "# HELP vllm:num_requests_running Number of requests in model execution batches.",
                "# TYPE vllm:num_requests_running gauge",
                "vllm:num_requests_running{engine=\"0\",model_name=\"meta-llama/Llama-3.1-8B\"} 0.0",
                "# TYPE vllm:prefix_cache_queries_total counter",
                "vllm:kv_cache_usage_perc{engine=\"0\",model_name=\"meta-llama/Llama-3.1-8B\"} 0.0",
                "vllm:cache_config_info{block_size=\"16\",cache_dtype=\"auto\",enable_prefix_caching=\"True\","
                        + "engine=\"0\",num_gpu_blocks=\"64\"} 1.0",
                "vllm:time_to_first_token_seconds_bucket{engine=\"0\",le=\"0.001\","
                        + "model_name=\"meta-llama/Llama-3.1-8B\"} 0.0",
                "vllm:time_to_first_token_seconds_bucket{engine=\"0\",le=\"2560.0\","
                        + "model_name=\"meta-llama/Llama-3.1-8B\"} 0.0",
                "vllm:time_to_first_token_seconds_bucket{engine=\"0\",le=\"+Inf\","
                        + "model_name=\"meta-llama/Llama-3.1-8B\"} 0.0",
                "vllm:time_to_first_token_seconds_count{engine=\"0\",model_name=\"meta-llama/Llama-3.1-8B\"} 0.0",
                "vllm:time_to_first_token_seconds_sum{engine=\"0\",model_name=\"meta-llama/Llama-3.1-8B\"} 0.0");
    }

    @Test
    void reportsUsageOfHeldBlocksWhileRunning() {
        new TokenRecorder("a", model.generate(new SimRequest(Prompts.blocks("a", 8), 100)));
        model.stepper().step(); // the prompt fills 8 blocks of 64

        Map<String, PrometheusText.Family> families = PrometheusText.parse(model.metricsText("m"));
        assertThat(value(families, "vllm:kv_cache_usage_perc")).isEqualTo(8 / 64.0);
        assertThat(value(families, "vllm:num_requests_running")).isEqualTo(1);

        model.stepper().step(); // the first generated token's KV needs a ninth
        families = PrometheusText.parse(model.metricsText("m"));
        assertThat(value(families, "vllm:kv_cache_usage_perc")).isCloseTo(9 / 64.0, within(1e-12));
    }

    @Test
    void escapesTheModelName() {
        Map<String, PrometheusText.Family> families = PrometheusText.parse(model.metricsText("a\"b\\c\nd"));

        assertThat(families.get("vllm:num_requests_waiting").samples().get(0).labels())
                .containsEntry("model_name", "a\\\"b\\\\c\\nd");
    }

    @Test
    void formatsNumbersAsPythonFloats() {
        assertThat(VllmMetricsText.number(0)).isEqualTo("0.0");
        assertThat(VllmMetricsText.number(12)).isEqualTo("12.0");
        assertThat(VllmMetricsText.number(0.025)).isEqualTo("0.025");
        assertThat(VllmMetricsText.number(0.5)).isEqualTo("0.5");
    }

    private static void checkHistogram(PrometheusText.Family family, int finiteBuckets, long expectedCount) {
        List<PrometheusText.Sample> buckets = family.samples().stream()
                .filter(sample -> sample.name().endsWith("_bucket")).toList();
        assertThat(buckets).hasSize(finiteBuckets + 1);
        double previousBound = Double.NEGATIVE_INFINITY;
        double previousCount = 0;
        for (PrometheusText.Sample bucket : buckets) {
            double bound = Double.parseDouble(bucket.labels().get("le").replace("+Inf", "Infinity"));
            assertThat(bound).isGreaterThan(previousBound);
            assertThat(bucket.value()).isGreaterThanOrEqualTo(previousCount);
            previousBound = bound;
            previousCount = bucket.value();
        }
        assertThat(previousBound).isInfinite();
        double count = family.samples().stream().filter(sample -> sample.name().endsWith("_count"))
                .findFirst().orElseThrow().value();
        assertThat(count).isEqualTo(previousCount).isEqualTo(expectedCount);
        assertThat(family.samples().get(family.samples().size() - 1).name()).endsWith("_sum");
    }

    private static String type(Map<String, PrometheusText.Family> families, String name) {
        return families.get(name).type();
    }

    private static double value(Map<String, PrometheusText.Family> families, String name) {
        return families.get(name).samples().get(0).value();
    }
}
