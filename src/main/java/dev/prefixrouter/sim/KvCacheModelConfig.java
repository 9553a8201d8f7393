package dev.prefixrouter.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * The simulated engine's cache geometry, batching limits and GPU timing.
 *
 * <p>Defaults sketch an 8B-class model (Llama-3-8B: 128 KiB of KV per token) on one GPU with about 16 GiB left
 * for KV cache, so capacity pressure and eviction show up in a multi-user benchmark rather than never:
 * <ul>
 *   <li>{@code blockSize} 16 tokens and {@code maxNumSeqs} 256 are vLLM's defaults; {@code maxNumBatchedTokens}
 *       8192 is vLLM's chunked-prefill budget for online serving on large GPUs.</li>
 *   <li>{@code numGpuBlocks} 8192 blocks = 131,072 tokens of KV cache.</li>
 *   <li>One engine step (one forward pass) costs
 *       {@code stepOverhead + prefillTokens / prefillTokensPerSecond + decodeSequences * decodeCostPerSequence}:
 *       8 ms + tokens / 10,000 per second + 0.25 ms per decoding sequence. A 16k-token uncached prompt therefore
 *       takes about 1.7 s to its first token (two 8192-token chunks), a lone decode streams at about 8 ms per
 *       token, and a full batch of 256 at about 72 ms per token: the inter-token latency grows with the batch.</li>
 *   <li>{@code timeScale} 1: real time. At 10 every duration is divided by ten, so an hour of load runs in six
 *       minutes, while latencies are still reported in engine time (what an unscaled engine would see).</li>
 * </ul>
 *
 * @param blockSize              tokens per KV-cache block (vLLM {@code --block-size})
 * @param numGpuBlocks           KV-cache capacity in blocks (vLLM {@code num_gpu_blocks})
 * @param maxNumSeqs             most requests running at once (vLLM {@code --max-num-seqs})
 * @param maxNumBatchedTokens    token budget of one step, shared by prefill chunks and decodes
 *                               (vLLM {@code --max-num-batched-tokens})
 * @param prefillTokensPerSecond prompt tokens one step computes per second of GPU time
 * @param stepOverhead           fixed cost of every step (kernel launches, sampling, scheduling)
 * @param decodeCostPerSequence  extra cost of a step per sequence that decodes in it
 * @param timeScale              how much faster than real time the engine runs; any value above 0
 */
public record KvCacheModelConfig(
        int blockSize,
        int numGpuBlocks,
        int maxNumSeqs,
        int maxNumBatchedTokens,
        double prefillTokensPerSecond,
        Duration stepOverhead,
        Duration decodeCostPerSequence,
        double timeScale) {

    public static final int DEFAULT_BLOCK_SIZE = 16;
    public static final int DEFAULT_NUM_GPU_BLOCKS = 8192;
    public static final int DEFAULT_MAX_NUM_SEQS = 256;
    public static final int DEFAULT_MAX_NUM_BATCHED_TOKENS = 8192;
    public static final double DEFAULT_PREFILL_TOKENS_PER_SECOND = 10_000;
    public static final Duration DEFAULT_STEP_OVERHEAD = Duration.ofMillis(8);
    public static final Duration DEFAULT_DECODE_COST_PER_SEQUENCE = Duration.ofNanos(250_000);
    public static final double DEFAULT_TIME_SCALE = 1.0;

    public KvCacheModelConfig {
        requireAtLeast("blockSize", blockSize, 1);
        requireAtLeast("numGpuBlocks", numGpuBlocks, 1);
        requireAtLeast("maxNumSeqs", maxNumSeqs, 1);
        requireAtLeast("maxNumBatchedTokens", maxNumBatchedTokens, 1);
        if (maxNumBatchedTokens < maxNumSeqs) {
            // As vLLM: otherwise a full batch of decodes could not fit in one step.
            throw new IllegalArgumentException("maxNumBatchedTokens (" + maxNumBatchedTokens
                    + ") must be at least maxNumSeqs (" + maxNumSeqs + ")");
        }
        requirePositive("prefillTokensPerSecond", prefillTokensPerSecond);
        requireNonNegative("stepOverhead", stepOverhead);
        requireNonNegative("decodeCostPerSequence", decodeCostPerSequence);
        requirePositive("timeScale", timeScale);
        if (stepOverhead.isZero() && decodeCostPerSequence.isZero()) {
            // A decode-only step would take no time and the step loop would spin.
            throw new IllegalArgumentException("stepOverhead and decodeCostPerSequence must not both be zero");
        }
    }

    /** The documented defaults. */
    public static KvCacheModelConfig defaults() {
        return new KvCacheModelConfig(DEFAULT_BLOCK_SIZE, DEFAULT_NUM_GPU_BLOCKS, DEFAULT_MAX_NUM_SEQS,
                DEFAULT_MAX_NUM_BATCHED_TOKENS, DEFAULT_PREFILL_TOKENS_PER_SECOND, DEFAULT_STEP_OVERHEAD,
                DEFAULT_DECODE_COST_PER_SEQUENCE, DEFAULT_TIME_SCALE);
    }

    public KvCacheModelConfig withBlockSize(int value) {
        return new KvCacheModelConfig(value, numGpuBlocks, maxNumSeqs, maxNumBatchedTokens,
                prefillTokensPerSecond, stepOverhead, decodeCostPerSequence, timeScale);
    }

    public KvCacheModelConfig withNumGpuBlocks(int value) {
        return new KvCacheModelConfig(blockSize, value, maxNumSeqs, maxNumBatchedTokens,
                prefillTokensPerSecond, stepOverhead, decodeCostPerSequence, timeScale);
    }

    public KvCacheModelConfig withMaxNumSeqs(int value) {
        return new KvCacheModelConfig(blockSize, numGpuBlocks, value, maxNumBatchedTokens,
                prefillTokensPerSecond, stepOverhead, decodeCostPerSequence, timeScale);
    }

    public KvCacheModelConfig withMaxNumBatchedTokens(int value) {
        return new KvCacheModelConfig(blockSize, numGpuBlocks, maxNumSeqs, value,
                prefillTokensPerSecond, stepOverhead, decodeCostPerSequence, timeScale);
    }

    public KvCacheModelConfig withTimeScale(double value) {
        return new KvCacheModelConfig(blockSize, numGpuBlocks, maxNumSeqs, maxNumBatchedTokens,
                prefillTokensPerSecond, stepOverhead, decodeCostPerSequence, value);
    }

    /** Tokens the whole KV cache holds. */
    public long capacityTokens() {
        return (long) numGpuBlocks * blockSize;
    }

    /** Engine-time seconds of one step that prefills {@code prefillTokens} and decodes {@code decodeSequences}. */
    double stepSeconds(int prefillTokens, int decodeSequences) {
        return seconds(stepOverhead) + prefillTokens / prefillTokensPerSecond
                + decodeSequences * seconds(decodeCostPerSequence);
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    private static void requireAtLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
        }
    }

    private static void requirePositive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number above 0, was " + value);
        }
    }

    private static void requireNonNegative(String name, Duration value) {
        Objects.requireNonNull(value, () -> name + " must be set");
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
    }
}
