package dev.prefixrouter.backend;

import lombok.extern.slf4j.Slf4j;
import org.springframework.stereotype.Component;

/**
 * Ejects engines that fail real requests: after {@code consecutive-failures} failures in a row an engine is out of
 * rotation for the base ejection time, doubled for each further ejection without a success in between, up to the
 * maximum; then it is re-admitted on probation (one more failure streak ejects it again, for longer). Never more
 * than {@code max-ejected-percent} of the fleet is ejected at once. Called by the proxy on event loops: counters
 * only, no locks.
 */
@Slf4j
@Component
public class OutlierDetector {

    private final BackendRegistry registry;
    private final OutlierEjectionProperties properties;

    public OutlierDetector(BackendRegistry registry, OutlierEjectionProperties properties) {
        this.registry = registry;
        this.properties = properties;
    }

    /** A request to this engine completed with a status below 500. */
    public void succeeded(Endpoint endpoint) {
        endpoint.outlierState().succeeded();
    }

    /** A request to this engine failed: unreachable, timed out, answered 5xx, or broke mid-stream. */
    public void failed(Endpoint endpoint, String reason) {
        if (!properties.enabled()) {
            return;
        }
        OutlierState state = endpoint.outlierState();
        if (state.failed() < properties.consecutiveFailures() || state.isEjected(System.nanoTime())) {
            return;
        }
        if (!roomToEject()) {
            log.warn("backend {} failed {} requests in a row ({}) but {} % of the fleet is already ejected;"
                    + " keeping it", endpoint.id(), properties.consecutiveFailures(), reason,
                    properties.maxEjectedPercent());
            return;
        }
        long nanos = state.eject(System.nanoTime(), properties.baseEjectionTime(), properties.maxEjectionTime());
        log.warn("backend {} ejected for {} ms after {} failed requests in a row (last: {})", endpoint.id(),
                nanos / 1_000_000, properties.consecutiveFailures(), reason);
    }

    private boolean roomToEject() {
        long now = System.nanoTime();
        int total = 0;
        int ejected = 0;
        for (Endpoint endpoint : registry.endpoints()) {
            total++;
            if (endpoint.outlierState().isEjected(now)) {
                ejected++;
            }
        }
        return (ejected + 1) * 100L <= (long) properties.maxEjectedPercent() * total;
    }
}
