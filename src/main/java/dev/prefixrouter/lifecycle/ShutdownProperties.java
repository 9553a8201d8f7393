package dev.prefixrouter.lifecycle;

import static dev.prefixrouter.config.PropertyChecks.requireNotNegative;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the router leaves: on SIGTERM readiness goes DOWN at once, new requests are still served for
 * {@code grace-period} (load balancers need that long to stop sending), then the server stops accepting and waits
 * for in-flight requests up to {@code spring.lifecycle.timeout-per-shutdown-phase} (the drain timeout).
 *
 * @param gracePeriod time between readiness DOWN and closing the listening socket; 0 to close at once
 */
@Validated
@ConfigurationProperties("router.shutdown")
public record ShutdownProperties(@NotNull @DefaultValue("5s") Duration gracePeriod) {

    public ShutdownProperties {
        requireNotNegative(gracePeriod, "router.shutdown.grace-period");
    }
}
