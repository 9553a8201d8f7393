/**
 * Scrapes each healthy engine's {@code /metrics} on a schedule, stores the stats on the engine and tells
 * {@code EngineStatsListener}s after each round. Imports fleet, fleet.stats and prometheus.
 */
package dev.prefixrouter.fleet.scraping;
