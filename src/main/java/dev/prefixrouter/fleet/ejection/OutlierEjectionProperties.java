package dev.prefixrouter.fleet.ejection;

import static dev.prefixrouter.config.PropertyChecks.requirePositive;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Passive outlier ejection: engines that keep failing real requests leave rotation for a while, even if their
 * {@code /health} still answers (a wedged GPU, a broken model).
 *
 * @param enabled             whether failures of proxied requests eject engines
 * @param consecutiveFailures failures in a row (connect failure, timeout, 5xx, stream broken) that eject an engine
 * @param baseEjectionTime    first ejection's length; each further ejection without a success in between doubles it
 * @param maxEjectionTime     longest ejection
 * @param maxEjectedPercent   never eject more than this share of the fleet, so a fleet-wide problem does not
 *                            leave nothing to route to
 */
@Validated
@ConfigurationProperties("router.outlier-ejection")
public record OutlierEjectionProperties(
        @DefaultValue("true") boolean enabled,
        @Min(1) @DefaultValue("5") int consecutiveFailures,
        @NotNull @DefaultValue("10s") Duration baseEjectionTime,
        @NotNull @DefaultValue("5m") Duration maxEjectionTime,
        @Min(0) @Max(100) @DefaultValue("50") int maxEjectedPercent) {

    public OutlierEjectionProperties {
        requirePositive(baseEjectionTime, "router.outlier-ejection.base-ejection-time");
        requirePositive(maxEjectionTime, "router.outlier-ejection.max-ejection-time");
        if (baseEjectionTime != null && maxEjectionTime != null && maxEjectionTime.compareTo(baseEjectionTime) < 0) {
            throw new IllegalArgumentException("router.outlier-ejection.max-ejection-time (" + maxEjectionTime
                    + ") must be at least base-ejection-time (" + baseEjectionTime + ")");
        }
    }
}
