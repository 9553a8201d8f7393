package dev.prefixrouter.fleet.stats;

import static dev.prefixrouter.fleet.stats.EngineMetricNames.SGLANG_RUNNING;
import static dev.prefixrouter.fleet.stats.EngineMetricNames.SGLANG_TOKEN_USAGE;
import static dev.prefixrouter.fleet.stats.EngineMetricNames.SGLANG_WAITING;
import static dev.prefixrouter.fleet.stats.EngineMetricNames.VLLM_GENERATION_TOKENS;
import static dev.prefixrouter.fleet.stats.EngineMetricNames.VLLM_KV_CACHE_USAGE;
import static dev.prefixrouter.fleet.stats.EngineMetricNames.VLLM_PROMPT_TOKENS;
import static dev.prefixrouter.fleet.stats.EngineMetricNames.VLLM_RUNNING;
import static dev.prefixrouter.fleet.stats.EngineMetricNames.VLLM_WAITING;

import dev.prefixrouter.prometheus.Sample;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What the router knows about one engine from one metrics scrape, in terms common to vLLM and SGLang.
 *
 * <p>Invariant: a quantity the scrape did not state is an empty optional, never zero and never NaN, so that "idle"
 * and "unknown" cannot be confused. Request counts are summed over all series of a metric (an engine may serve
 * several models or data-parallel ranks); usage fractions are averaged over them. Where vLLM and SGLang name a
 * quantity differently, the vLLM series are read if present.
 *
 * @param scrapedAtNanos        {@link System#nanoTime()} when the scrape was taken
 * @param runningRequests       requests in the engine's running batch
 * @param waitingRequests       requests queued in the engine
 * @param kvCacheUsage          fraction of the KV cache in use, nominally 0..1, as reported
 * @param prefixCacheHitRate    fraction of prompt tokens served from the prefix cache since the previous scrape;
 *                              empty on the first scrape and when nothing was looked up in between
 * @param kvCacheCapacityTokens how many tokens the KV cache holds
 * @param prefixCacheCounters   the cumulative counters behind the hit rate, kept for the next scrape's interval
 * @param tokensProcessed       the engine's prompt plus generated tokens so far (its counters), to tell progress
 * @param routerInFlight        requests this router had in flight at the engine when the scrape came back, so that
 *                              the engine's counts can be split into this router's and everyone else's as of the
 *                              same moment; -1 when not recorded
 */
public record EngineStats(
        long scrapedAtNanos,
        OptionalDouble runningRequests,
        OptionalDouble waitingRequests,
        OptionalDouble kvCacheUsage,
        OptionalDouble prefixCacheHitRate,
        OptionalLong kvCacheCapacityTokens,
        Optional<PrefixCacheCounters> prefixCacheCounters,
        OptionalDouble tokensProcessed,
        int routerInFlight) {

    /**
     * The router's estimate of prompt characters per token (English text, the tokenizers of common models), to turn
     * an engine's KV-cache capacity in tokens into characters of prompt, the index's unit. The simulator's tokenizer
     * uses the same ratio, so the demo's estimate is exact.
     */
    public static final int CHARS_PER_TOKEN = 4;

    /** The longest duration {@link Duration#toNanos()} can express; anything longer never goes stale. */
    private static final Duration LONGEST_NANOS = Duration.ofNanos(Long.MAX_VALUE);

    public EngineStats {
        requireFiniteIfPresent(runningRequests, "runningRequests");
        requireFiniteIfPresent(waitingRequests, "waitingRequests");
        requireFiniteIfPresent(kvCacheUsage, "kvCacheUsage");
        requireFiniteIfPresent(prefixCacheHitRate, "prefixCacheHitRate");
        Objects.requireNonNull(kvCacheCapacityTokens, "kvCacheCapacityTokens");
        Objects.requireNonNull(prefixCacheCounters, "prefixCacheCounters");
        requireFiniteIfPresent(tokensProcessed, "tokensProcessed");
        if (routerInFlight < -1) {
            throw new IllegalArgumentException("routerInFlight must be -1 (unknown) or more, was " + routerInFlight);
        }
    }

    /** Stats without this router's own share recorded. */
    public EngineStats(long scrapedAtNanos, OptionalDouble runningRequests, OptionalDouble waitingRequests,
            OptionalDouble kvCacheUsage, OptionalDouble prefixCacheHitRate, OptionalLong kvCacheCapacityTokens,
            Optional<PrefixCacheCounters> prefixCacheCounters, OptionalDouble tokensProcessed) {
        this(scrapedAtNanos, runningRequests, waitingRequests, kvCacheUsage, prefixCacheHitRate,
                kvCacheCapacityTokens, prefixCacheCounters, tokensProcessed, -1);
    }

    /** Stats that say nothing of the engine's token counters. */
    public EngineStats(long scrapedAtNanos, OptionalDouble runningRequests, OptionalDouble waitingRequests,
            OptionalDouble kvCacheUsage, OptionalDouble prefixCacheHitRate, OptionalLong kvCacheCapacityTokens,
            Optional<PrefixCacheCounters> prefixCacheCounters) {
        this(scrapedAtNanos, runningRequests, waitingRequests, kvCacheUsage, prefixCacheHitRate,
                kvCacheCapacityTokens, prefixCacheCounters, OptionalDouble.empty());
    }

    /** These stats, noting that this router had {@code requests} in flight at the engine when they were scraped. */
    public EngineStats withRouterInFlight(int requests) {
        return new EngineStats(scrapedAtNanos, runningRequests, waitingRequests, kvCacheUsage, prefixCacheHitRate,
                kvCacheCapacityTokens, prefixCacheCounters, tokensProcessed, requests);
    }

    /**
     * Requests waiting at the engine that other clients sent (other router replicas, direct callers), as of this
     * scrape: the waiting count times the share of the engine's requests that were not this router's when it was
     * taken. Empty when the engine does not report its queue or this router's share was not recorded.
     */
    public OptionalDouble othersWaiting() {
        if (waitingRequests.isEmpty() || runningRequests.isEmpty() || routerInFlight < 0) {
            return OptionalDouble.empty();
        }
        double waiting = waitingRequests.getAsDouble();
        double total = runningRequests.getAsDouble() + waiting;
        if (total <= 0) {
            return OptionalDouble.of(0);
        }
        return OptionalDouble.of(waiting * Math.max(0, total - routerInFlight) / total);
    }

    /**
     * Whether the engine processed tokens (prompt or generated) between {@code earlier} and these stats: its
     * counters moved. False when either scrape lacks them.
     */
    public boolean processedTokensSince(EngineStats earlier) {
        return tokensProcessed.isPresent() && earlier.tokensProcessed.isPresent()
                && tokensProcessed.getAsDouble() != earlier.tokensProcessed.getAsDouble();
    }

    /** Stats from an engine's first scrape, which cannot yet tell a hit rate. */
    public static EngineStats from(List<Sample> samples, long scrapedAtNanos) {
        return from(samples, Optional.empty(), scrapedAtNanos);
    }

    /**
     * Stats from a scrape that follows {@code previous} of the same engine; the prefix-cache hit rate covers the
     * interval between the two.
     */
    public static EngineStats from(List<Sample> samples, EngineStats previous, long scrapedAtNanos) {
        return from(samples, previous.prefixCacheCounters, scrapedAtNanos);
    }

    private static EngineStats from(List<Sample> samples, Optional<PrefixCacheCounters> previousCounters,
            long scrapedAtNanos) {
        ScrapedSeries scrape = new ScrapedSeries(samples, EngineMetricNames.ALL);
        Optional<PrefixCacheCounters> counters = PrefixCacheCounters.read(scrape);
        OptionalDouble hitRate = counters.isPresent() && previousCounters.isPresent()
                ? counters.get().hitRateSince(previousCounters.get())
                : OptionalDouble.empty();
        return new EngineStats(
                scrapedAtNanos,
                scrape.sum(VLLM_RUNNING, SGLANG_RUNNING),
                scrape.sum(VLLM_WAITING, SGLANG_WAITING),
                scrape.mean(VLLM_KV_CACHE_USAGE, SGLANG_TOKEN_USAGE),
                hitRate,
                KvCacheCapacity.tokens(scrape),
                counters,
                total(scrape.sum(VLLM_PROMPT_TOKENS), scrape.sum(VLLM_GENERATION_TOKENS)));
    }

    /**
     * The KV cache's capacity in prompt characters, at {@code charsPerToken} characters per token; empty when the
     * engine does not state its cache size or the product does not fit a long.
     */
    public OptionalLong kvCacheCapacityChars(int charsPerToken) {
        if (charsPerToken < 1) {
            throw new IllegalArgumentException("charsPerToken must be at least 1, was " + charsPerToken);
        }
        if (kvCacheCapacityTokens.isEmpty() || kvCacheCapacityTokens.getAsLong() > Long.MAX_VALUE / charsPerToken) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(kvCacheCapacityTokens.getAsLong() * charsPerToken);
    }

    /**
     * Whether these stats are at most {@code maxAge} old at {@code nowNanos} (a {@link System#nanoTime()} reading),
     * so that stats of an engine that stopped answering are ignored rather than trusted forever.
     */
    public boolean isFresh(long nowNanos, Duration maxAge) {
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("maxAge must not be negative, was " + maxAge);
        }
        long ageNanos = nowNanos - scrapedAtNanos;
        return maxAge.compareTo(LONGEST_NANOS) >= 0 || ageNanos <= maxAge.toNanos();
    }

    private static OptionalDouble total(OptionalDouble a, OptionalDouble b) {
        if (a.isEmpty() || b.isEmpty()) {
            return a.isPresent() ? a : b;
        }
        return OptionalDouble.of(a.getAsDouble() + b.getAsDouble());
    }

    private static void requireFiniteIfPresent(OptionalDouble value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isPresent() && !Double.isFinite(value.getAsDouble())) {
            throw new IllegalArgumentException(name + " must be finite or empty (unknown), was " + value);
        }
    }
}
