package dev.prefixrouter.observability;

import dev.prefixrouter.backend.BackendRegistry;
import dev.prefixrouter.backend.Endpoint;
import dev.prefixrouter.backend.EngineStats;
import dev.prefixrouter.backend.OutlierState;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.stereotype.Component;

/** {@code /actuator/backends}: every engine with its health, ejection, load and latest engine stats. */
@Component
@org.springframework.boot.actuate.endpoint.annotation.Endpoint(id = "backends")
public class BackendsEndpoint {

    private final BackendRegistry registry;

    public BackendsEndpoint(BackendRegistry registry) {
        this.registry = registry;
    }

    @ReadOperation
    public List<BackendView> backends() {
        long now = System.nanoTime();
        return registry.endpoints().stream().map(endpoint -> BackendView.of(endpoint, now)).toList();
    }

    /** One engine as operators see it. */
    public record BackendView(String id, String url, Set<String> models, boolean healthy, boolean inRotation,
            Ejection ejection, int inFlight, Stats engineStats) {

        static BackendView of(Endpoint endpoint, long now) {
            OutlierState outliers = endpoint.outlierState();
            EngineStats stats = endpoint.engineStats();
            return new BackendView(endpoint.id(), endpoint.url().toString(), new TreeSet<>(endpoint.models()),
                    endpoint.healthy(), endpoint.inRotation(now),
                    new Ejection(outliers.isEjected(now), outliers.ejectionRemainingNanos(now) / 1e9,
                            outliers.consecutiveFailures(), outliers.ejections()),
                    endpoint.inFlight(), stats == null ? null : Stats.of(stats, now));
        }
    }

    /**
     * @param ejected             out of rotation for failing requests
     * @param remainingSeconds    how long the ejection still lasts
     * @param consecutiveFailures failed requests in a row
     * @param ejections           ejections since the last successful request
     */
    public record Ejection(boolean ejected, double remainingSeconds, int consecutiveFailures, int ejections) {
    }

    /** The latest scrape of the engine's {@code /metrics}; absent values were not reported. */
    public record Stats(double ageSeconds, Double runningRequests, Double waitingRequests, Double kvCacheUsage,
            Double prefixCacheHitRate, Long kvCacheCapacityTokens) {

        static Stats of(EngineStats stats, long now) {
            return new Stats((now - stats.scrapedAtNanos()) / 1e9, boxed(stats.runningRequests()),
                    boxed(stats.waitingRequests()), boxed(stats.kvCacheUsage()), boxed(stats.prefixCacheHitRate()),
                    boxed(stats.kvCacheCapacityTokens()));
        }

        private static Double boxed(OptionalDouble value) {
            return value.isPresent() ? value.getAsDouble() : null;
        }

        private static Long boxed(OptionalLong value) {
            return value.isPresent() ? value.getAsLong() : null;
        }
    }
}
