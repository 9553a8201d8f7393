package dev.prefixrouter.fleet.stats;

import java.util.Set;

/**
 * The engine metrics {@link EngineStats} reads, as vLLM (v0.12 and later) and SGLang expose them. Counters carry
 * the {@code _total} suffix the Python client adds on exposition.
 */
final class EngineMetricNames {

    static final String VLLM_RUNNING = "vllm:num_requests_running";
    static final String VLLM_WAITING = "vllm:num_requests_waiting";
    /** Fraction of KV-cache blocks in use, 0..1. */
    static final String VLLM_KV_CACHE_USAGE = "vllm:kv_cache_usage_perc";
    /** Counters of prompt tokens looked up in, and found in, the prefix cache. */
    static final String VLLM_PREFIX_CACHE_HITS = "vllm:prefix_cache_hits_total";
    static final String VLLM_PREFIX_CACHE_QUERIES = "vllm:prefix_cache_queries_total";
    /** Counters of prompt tokens prefilled and tokens generated: while they move, the engine is making progress. */
    static final String VLLM_PROMPT_TOKENS = "vllm:prompt_tokens_total";
    static final String VLLM_GENERATION_TOKENS = "vllm:generation_tokens_total";
    /** Info gauge (value 1) whose labels are the engine's cache configuration, one series per data-parallel rank. */
    static final String VLLM_CACHE_CONFIG_INFO = "vllm:cache_config_info";
    static final String VLLM_BLOCK_SIZE_LABEL = "block_size";
    static final String VLLM_NUM_GPU_BLOCKS_LABEL = "num_gpu_blocks";

    static final String SGLANG_RUNNING = "sglang:num_running_reqs";
    static final String SGLANG_WAITING = "sglang:num_queue_reqs";
    /** Fraction of the KV pool's tokens in use, 0..1. */
    static final String SGLANG_TOKEN_USAGE = "sglang:token_usage";
    /** Size of the KV pool in tokens. */
    static final String SGLANG_MAX_TOTAL_TOKENS = "sglang:max_total_num_tokens";

    static final Set<String> ALL = Set.of(VLLM_RUNNING, VLLM_WAITING, VLLM_KV_CACHE_USAGE, VLLM_PREFIX_CACHE_HITS,
            VLLM_PREFIX_CACHE_QUERIES, VLLM_PROMPT_TOKENS, VLLM_GENERATION_TOKENS, VLLM_CACHE_CONFIG_INFO,
            SGLANG_RUNNING, SGLANG_WAITING, SGLANG_TOKEN_USAGE, SGLANG_MAX_TOTAL_TOKENS);

    private EngineMetricNames() {
    }
}
