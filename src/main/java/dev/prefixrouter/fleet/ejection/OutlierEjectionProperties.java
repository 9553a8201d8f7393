package dev.prefixrouter.fleet.ejection;

import static dev.prefixrouter.config.PropertyChecks.requirePositive;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Passive outlier ejection: engines that keep failing real requests leave rotation for a while, even if their
 * {@code /health} still answers (a wedged GPU, a broken model).
 *
 * @param enabled             whether failures of proxied requests eject engines
 * @param consecutiveFailures engine faults in a row that eject an engine: connect failures, resets, timeouts,
 *                            stalls, broken streams, and answers with a status in {@code failure-statuses}
 * @param failureStatuses     engine answers that count as faults; 4xx and 500 do not by default, since vLLM
 *                            answers them for requests it cannot serve (bad parameters, inputs a model fails on)
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
        @NotNull @DefaultValue({"502", "503", "504"}) Set<Integer> failureStatuses,
        @NotNull @DefaultValue("10s") Duration baseEjectionTime,
        @NotNull @DefaultValue("5m") Duration maxEjectionTime,
        @Min(0) @Max(100) @DefaultValue("50") int maxEjectedPercent) {

    public OutlierEjectionProperties {
        requirePositive(baseEjectionTime, "router.outlier-ejection.base-ejection-time");
        failureStatuses = failureStatuses == null ? Set.of() : Set.copyOf(failureStatuses);
        for (int status : failureStatuses) {
            if (status < 100 || status > 599) {
                throw new IllegalArgumentException("router.outlier-ejection.failure-statuses must hold HTTP statuses,"
                        + " was " + status);
            }
        }
        requirePositive(maxEjectionTime, "router.outlier-ejection.max-ejection-time");
        if (baseEjectionTime != null && maxEjectionTime != null && maxEjectionTime.compareTo(baseEjectionTime) < 0) {
            throw new IllegalArgumentException("router.outlier-ejection.max-ejection-time (" + maxEjectionTime
                    + ") must be at least base-ejection-time (" + baseEjectionTime + ")");
        }
    }
}
