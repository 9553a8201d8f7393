package dev.prefixrouter.routing;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.scraping.EngineStatsProperties;
import dev.prefixrouter.fleet.stats.EngineStats;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * How busy an engine is, as routing sees it: the requests this router has in flight there, or the requests the
 * engine itself reports running and waiting (which include other routers' traffic), whichever is larger. The
 * router's count is exact and current but partial; the engine's is complete but as old as its last scrape, and
 * ignored once older than {@code router.engine-stats.max-age}.
 */
@Component
public class EngineLoad {

    private final long maxAgeNanos;

    public EngineLoad(EngineStatsProperties properties) {
        this.maxAgeNanos = properties.maxAge().toNanos();
    }

    /** Requests queued or running at the engine, as best known now. */
    public int requests(Engine engine) {
        int own = engine.inFlight();
        EngineStats stats = freshStats(engine);
        if (stats == null || stats.runningRequests().isEmpty()) {
            return own;
        }
        double reported = stats.runningRequests().getAsDouble() + stats.waitingRequests().orElse(0);
        return Math.max(own, (int) Math.min(Integer.MAX_VALUE, Math.round(reported)));
    }

    /** Requests the engine reports waiting for a batch slot, or 0 when unknown. */
    public int waiting(Engine engine) {
        EngineStats stats = freshStats(engine);
        return stats == null ? 0 : (int) Math.round(stats.waitingRequests().orElse(0));
    }

    /** The engine's stats if they are recent enough to trust, else {@code null}. */
    public EngineStats freshStats(Engine engine) {
        EngineStats stats = engine.engineStats();
        return stats != null && stats.isFresh(System.nanoTime(), Duration.ofNanos(maxAgeNanos)) ? stats : null;
    }
}
