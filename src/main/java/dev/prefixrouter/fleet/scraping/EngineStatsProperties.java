package dev.prefixrouter.fleet.scraping;

import static dev.prefixrouter.config.PropertyChecks.requirePositive;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Scraping of each engine's {@code /metrics} (vLLM or SGLang names) for load and cache signals.
 *
 * @param enabled  whether to scrape at all
 * @param interval how often each healthy engine is scraped
 * @param timeout  a slower scrape is abandoned (the previous stats stay until they are too old)
 * @param maxAge   stats older than this are ignored by routing: the engine stopped answering its scrapes
 */
@Validated
@ConfigurationProperties("router.engine-stats")
public record EngineStatsProperties(
        @DefaultValue("true") boolean enabled,
        @NotNull @DefaultValue("2s") Duration interval,
        @NotNull @DefaultValue("1s") Duration timeout,
        @NotNull @DefaultValue("10s") Duration maxAge) {

    public EngineStatsProperties {
        requirePositive(interval, "router.engine-stats.interval");
        requirePositive(timeout, "router.engine-stats.timeout");
        requirePositive(maxAge, "router.engine-stats.max-age");
        if (interval != null && maxAge != null && maxAge.compareTo(interval) < 0) {
            throw new IllegalArgumentException("router.engine-stats.max-age (" + maxAge
                    + ") must be at least router.engine-stats.interval (" + interval + ")");
        }
    }
}
