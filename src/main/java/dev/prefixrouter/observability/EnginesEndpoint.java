package dev.prefixrouter.observability;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.OutlierState;
import dev.prefixrouter.fleet.stats.EngineStats;
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
public class EnginesEndpoint {

    private final Fleet fleet;

    public EnginesEndpoint(Fleet fleet) {
        this.fleet = fleet;
    }

    @ReadOperation
    public List<EngineView> engines() {
        long now = System.nanoTime();
        return fleet.engines().stream().map(engine -> EngineView.of(engine, now)).toList();
    }

    /** One engine as operators see it. */
    public record EngineView(String id, String url, Set<String> models, boolean healthy, boolean inRotation,
            Ejection ejection, int inFlight, Stats engineStats) {

        static EngineView of(Engine engine, long now) {
            OutlierState outliers = engine.outlierState();
            EngineStats stats = engine.engineStats();
            return new EngineView(engine.id(), engine.url().toString(), new TreeSet<>(engine.models()),
                    engine.healthy(), engine.inRotation(now),
                    new Ejection(outliers.isEjected(now), outliers.ejectionRemainingNanos(now) / 1e9,
                            outliers.consecutiveFailures(), outliers.ejections()),
                    engine.inFlight(), stats == null ? null : Stats.of(stats, now));
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
