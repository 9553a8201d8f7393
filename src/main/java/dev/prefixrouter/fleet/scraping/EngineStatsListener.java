package dev.prefixrouter.fleet.scraping;

/**
 * Told after each round of engine-stats scrapes, with every engine's latest stats in place on the {@code Engine}
 * (some may be stale or missing: check their age). Called on a scraper thread, never an event loop, so the work
 * may take a short lock; one round's call finishes before the next round starts.
 */
@FunctionalInterface
public interface EngineStatsListener {

    void engineStatsRefreshed();
}
