package dev.prefixrouter.fleet.health;

import static dev.prefixrouter.config.PropertyChecks.requireNotNegative;
import static dev.prefixrouter.config.PropertyChecks.requirePositive;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Active checks of each engine.
 *
 * @param interval              how often each engine's {@code /health} is probed
 * @param timeout               a probe slower than this counts as a failure
 * @param modelsRefreshInterval how often engines without configured models are asked for their {@code /v1/models}
 * @param unhealthyThreshold    consecutive failed probes before a healthy engine is taken out of rotation: one
 *                              slow answer from a busy engine is not a dead engine (one success brings it back)
 * @param stallTimeout          an engine with requests in flight and no progress on any of them for this long (no
 *                              response byte, no movement of its vLLM token counters) leaves rotation at once and
 *                              its waiting requests go elsewhere; a successful probe brings it back. 0 disables.
 *                              Keep it above the longest non-streaming generation of engines that do not export
 *                              vLLM's token counters
 */
@Validated
@ConfigurationProperties("router.health-check")
public record HealthCheckProperties(
        @NotNull @DefaultValue("5s") Duration interval,
        @NotNull @DefaultValue("2s") Duration timeout,
        @NotNull @DefaultValue("30s") Duration modelsRefreshInterval,
        @Min(1) @DefaultValue("3") int unhealthyThreshold,
        @NotNull @DefaultValue("10s") Duration stallTimeout) {

    public HealthCheckProperties {
        requirePositive(interval, "router.health-check.interval");
        requirePositive(timeout, "router.health-check.timeout");
        requirePositive(modelsRefreshInterval, "router.health-check.models-refresh-interval");
        requireNotNegative(stallTimeout, "router.health-check.stall-timeout");
    }
}
