package dev.prefixrouter.fleet.ejection;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.OutlierState;
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

    private final Fleet fleet;
    private final OutlierEjectionProperties properties;

    public OutlierDetector(Fleet fleet, OutlierEjectionProperties properties) {
        this.fleet = fleet;
        this.properties = properties;
    }

    /** Whether an engine's answer with this status is a fault of the engine ({@code failure-statuses}). */
    public boolean isFault(int status) {
        return properties.failureStatuses().contains(status);
    }

    /** A request to this engine completed without an engine fault. */
    public void succeeded(Engine engine) {
        engine.outlierState().succeeded();
    }

    /** A request to this engine met an engine fault: unreachable, reset, timed out, stalled, a failure status. */
    public void failed(Engine engine, String reason) {
        if (!properties.enabled()) {
            return;
        }
        OutlierState state = engine.outlierState();
        if (state.failed() < properties.consecutiveFailures() || state.isEjected(System.nanoTime())) {
            return;
        }
        if (!roomToEject()) {
            log.warn("engine {} failed {} requests in a row ({}) but {} % of the fleet is already ejected;"
                    + " keeping it", engine.id(), properties.consecutiveFailures(), reason,
                    properties.maxEjectedPercent());
            return;
        }
        long nanos = state.eject(System.nanoTime(), properties.baseEjectionTime(), properties.maxEjectionTime());
        log.warn("engine {} ejected for {} ms after {} failed requests in a row (last: {})", engine.id(),
                nanos / 1_000_000, properties.consecutiveFailures(), reason);
    }

    private boolean roomToEject() {
        long now = System.nanoTime();
        int total = 0;
        int ejected = 0;
        for (Engine engine : fleet.engines()) {
            total++;
            if (engine.outlierState().isEjected(now)) {
                ejected++;
            }
        }
        return (ejected + 1) * 100L <= (long) properties.maxEjectedPercent() * total;
    }
}
