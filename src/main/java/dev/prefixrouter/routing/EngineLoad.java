package dev.prefixrouter.routing;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.scraping.EngineStatsProperties;
import dev.prefixrouter.fleet.stats.EngineStats;
import java.time.Duration;
import java.util.OptionalDouble;
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

    /**
     * Requests waiting at the engine that this router did not send, as of its last fresh scrape: the engine's
     * waiting count times the share of its requests that were not this router's when the scrape came back
     * ({@link EngineStats#othersWaiting()}). Without that share, the waiting count less {@code ownPrefilling}
     * (this router's requests there still without a first byte). 0 when unknown.
     *
     * <p>Why the share at the scrape: the engine's count is as old as the scrape, this router's is current, and
     * subtracting one from the other counted this router's own requests that had started running since as somebody
     * else's queue, and often: scrapes come seconds apart (every 2 s by default), prefills take a fraction of that.
     */
    public double othersWaiting(Engine engine, int ownPrefilling) {
        EngineStats stats = freshStats(engine);
        if (stats == null) {
            return 0;
        }
        OptionalDouble others = stats.othersWaiting();
        return others.isPresent() ? others.getAsDouble()
                : Math.max(0, Math.round(stats.waitingRequests().orElse(0)) - ownPrefilling);
    }

    /** The engine's stats if they are recent enough to trust, else {@code null}. */
    public EngineStats freshStats(Engine engine) {
        EngineStats stats = engine.engineStats();
        return stats != null && stats.isFresh(System.nanoTime(), Duration.ofNanos(maxAgeNanos)) ? stats : null;
    }
}
