package dev.prefixrouter.sim;

/**
 * Renders the engine's metrics as vLLM v1's {@code /metrics} does (Prometheus text format 0.0.4, as written by
 * {@code prometheus_client}): current metric names and help texts, labels {@code engine="0"} and
 * {@code model_name}, labels in alphabetical order, counters named with their {@code _total} suffix on the
 * {@code # HELP} and {@code # TYPE} lines, histogram buckets then {@code _count} then {@code _sum}, values as
 * floats.
 *
 * <p>{@code vllm:cache_config_info} is an info-style gauge fixed at 1 whose labels carry the cache config; as in
 * vLLM it is labelled by {@code engine} but not by {@code model_name}. The names removed in vLLM 0.12
 * ({@code vllm:gpu_cache_usage_perc}, {@code vllm:gpu_prefix_cache_*}) are not served.
 */
final class VllmMetricsText {

    private static final String ENGINE_INDEX = "0";

    private VllmMetricsText() {
    }

    static String render(String modelName, KvCacheModelConfig config, EngineMetrics metrics) {
        String model = escape(modelName);
        String labels = labels(model, null);
        StringBuilder out = new StringBuilder(8192);
        gauge(out, "vllm:num_requests_running", "Number of requests in model execution batches.", labels,
                metrics.running());
        gauge(out, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", labels,
                metrics.waiting());
        gauge(out, "vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", labels,
                metrics.kvCacheUsage());
        counter(out, "vllm:prefix_cache_queries_total",
                "Prefix cache queries, in terms of number of queried tokens.", labels, metrics.prefixCacheQueries());
        counter(out, "vllm:prefix_cache_hits_total",
                "Prefix cache hits, in terms of number of cached tokens.", labels, metrics.prefixCacheHits());
        counter(out, "vllm:prompt_tokens_total", "Number of prefill tokens processed.", labels,
                metrics.promptTokens());
        counter(out, "vllm:generation_tokens_total", "Number of generation tokens processed.", labels,
                metrics.generationTokens());
        histogram(out, "vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.",
                model, metrics.timeToFirstToken.snapshot());
        histogram(out, "vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.",
                model, metrics.interTokenLatency.snapshot());
        histogram(out, "vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.",
                model, metrics.e2eRequestLatency.snapshot());
        histogram(out, "vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.",
                model, metrics.requestQueueTime.snapshot());
        String cacheConfig = "block_size=\"" + config.blockSize() + "\",cache_dtype=\"auto\""
                + ",enable_prefix_caching=\"True\",engine=\"" + ENGINE_INDEX + "\""
                + ",num_gpu_blocks=\"" + config.numGpuBlocks() + "\"";
        gauge(out, "vllm:cache_config_info", "Information of the LLMEngine CacheConfig", cacheConfig, 1);
        return out.toString();
    }

    /** The per-engine label set, sorted by name; {@code le} (a histogram bound) sorts between the two. */
    private static String labels(String escapedModel, String le) {
        return "engine=\"" + ENGINE_INDEX + "\"" + (le == null ? "" : ",le=\"" + le + "\"")
                + ",model_name=\"" + escapedModel + "\"";
    }

    private static void gauge(StringBuilder out, String name, String help, String labels, double value) {
        header(out, name, help, "gauge");
        sample(out, name, labels, value);
    }

    private static void counter(StringBuilder out, String name, String help, String labels, long value) {
        header(out, name, help, "counter");
        sample(out, name, labels, value);
    }

    private static void histogram(StringBuilder out, String name, String help, String escapedModel,
            LatencyHistogram.Snapshot snapshot) {
        header(out, name, help, "histogram");
        double[] bounds = snapshot.bounds();
        long[] cumulative = snapshot.cumulative();
        for (int i = 0; i <= bounds.length; i++) {
            String le = i < bounds.length ? number(bounds[i]) : "+Inf";
            sample(out, name + "_bucket", labels(escapedModel, le), cumulative[i]);
        }
        sample(out, name + "_count", labels(escapedModel, null), snapshot.count());
        sample(out, name + "_sum", labels(escapedModel, null), snapshot.sum());
    }

    private static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String labels, double value) {
        out.append(name).append('{').append(labels).append("} ").append(number(value)).append('\n');
    }

    /** Python's float repr for the values that occur here: integers as "12.0", others as the shortest form. */
    static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return (long) value + ".0";
        }
        return Double.toString(value);
    }

    private static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
