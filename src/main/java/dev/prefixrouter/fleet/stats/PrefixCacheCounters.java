package dev.prefixrouter.fleet.stats;

import static dev.prefixrouter.fleet.stats.EngineMetricNames.VLLM_PREFIX_CACHE_HITS;
import static dev.prefixrouter.fleet.stats.EngineMetricNames.VLLM_PREFIX_CACHE_QUERIES;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * An engine's cumulative prefix-cache counters at one scrape, summed over its series: prompt tokens looked up
 * ({@code queries}) and prompt tokens found ({@code hits}). A hit rate needs two of these, because the totals since
 * start-up say little about the cache's recent usefulness.
 *
 * @param hits    cumulative prompt tokens served from the prefix cache; finite, not negative
 * @param queries cumulative prompt tokens looked up in the prefix cache; finite, not negative
 */
public record PrefixCacheCounters(double hits, double queries) {

    public PrefixCacheCounters {
        if (!isCount(hits) || !isCount(queries)) {
            throw new IllegalArgumentException("counters must be finite and not negative, were hits=" + hits
                    + ", queries=" + queries);
        }
    }

    /** The counters of a vLLM scrape; empty when either is missing or not a count. */
    static Optional<PrefixCacheCounters> read(ScrapedSeries scrape) {
        OptionalDouble hits = scrape.sum(VLLM_PREFIX_CACHE_HITS);
        OptionalDouble queries = scrape.sum(VLLM_PREFIX_CACHE_QUERIES);
        if (hits.isEmpty() || queries.isEmpty() || !isCount(hits.getAsDouble()) || !isCount(queries.getAsDouble())) {
            return Optional.empty();
        }
        return Optional.of(new PrefixCacheCounters(hits.getAsDouble(), queries.getAsDouble()));
    }

    /**
     * The fraction of prompt tokens looked up since {@code earlier} that were found in the cache, 0..1; empty when
     * nothing was looked up in the interval. A counter that went down means the engine restarted and counted from
     * zero, so the interval's counts are the current totals (as Prometheus's {@code rate()} assumes). The result is
     * clamped to 0..1 because a scrape can fall between the increments of the two counters.
     */
    public OptionalDouble hitRateSince(PrefixCacheCounters earlier) {
        boolean restarted = hits < earlier.hits || queries < earlier.queries;
        double queried = restarted ? queries : queries - earlier.queries;
        double found = restarted ? hits : hits - earlier.hits;
        if (queried <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Math.min(1, Math.max(0, found / queried)));
    }

    private static boolean isCount(double value) {
        return Double.isFinite(value) && value >= 0;
    }
}
