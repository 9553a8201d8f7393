package dev.prefixrouter.fleet.stats;

import static dev.prefixrouter.fleet.stats.EngineMetricNames.SGLANG_MAX_TOTAL_TOKENS;
import static dev.prefixrouter.fleet.stats.EngineMetricNames.VLLM_BLOCK_SIZE_LABEL;
import static dev.prefixrouter.fleet.stats.EngineMetricNames.VLLM_CACHE_CONFIG_INFO;
import static dev.prefixrouter.fleet.stats.EngineMetricNames.VLLM_NUM_GPU_BLOCKS_LABEL;

import dev.prefixrouter.prometheus.Sample;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Reads how many tokens an engine's KV cache holds. vLLM states it as configuration labels on
 * {@code vllm:cache_config_info} ({@code num_gpu_blocks × block_size}); SGLang as the gauge
 * {@code sglang:max_total_num_tokens}. Data-parallel ranks each have their own cache, one series per rank, so the
 * series add up. If any vLLM series lacks a usable size ({@code num_gpu_blocks="None"} before the engine has
 * profiled its memory) the capacity is unknown rather than understated.
 */
final class KvCacheCapacity {

    private KvCacheCapacity() {
    }

    /** The capacity in tokens, or empty when the scrape does not say. */
    static OptionalLong tokens(ScrapedSeries scrape) {
        List<Sample> cacheConfigs = scrape.series(VLLM_CACHE_CONFIG_INFO);
        if (!cacheConfigs.isEmpty()) {
            return vllmTokens(cacheConfigs);
        }
        OptionalDouble sglangTokens = scrape.sum(SGLANG_MAX_TOTAL_TOKENS);
        if (sglangTokens.isEmpty() || sglangTokens.getAsDouble() < 1
                || sglangTokens.getAsDouble() >= Long.MAX_VALUE) {
            return OptionalLong.empty();
        }
        return OptionalLong.of((long) sglangTokens.getAsDouble());
    }

    private static OptionalLong vllmTokens(List<Sample> cacheConfigs) {
        long total = 0;
        for (Sample config : cacheConfigs) {
            long blockSize = positiveLong(config.label(VLLM_BLOCK_SIZE_LABEL));
            long blocks = positiveLong(config.label(VLLM_NUM_GPU_BLOCKS_LABEL));
            if (blockSize < 0 || blocks < 0) {
                return OptionalLong.empty();
            }
            try {
                total = Math.addExact(total, Math.multiplyExact(blockSize, blocks));
            } catch (ArithmeticException overflow) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.of(total);
    }

    /** The value of a decimal label such as {@code "16"}, or -1 for anything else ({@code "None"}, "0", absent). */
    private static long positiveLong(String label) {
        if (label == null || label.isEmpty() || label.length() > 18) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value > 0 ? value : -1;
    }
}
