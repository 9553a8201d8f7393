package dev.prefixrouter.fleet;

import dev.prefixrouter.fleet.scraping.EngineStatsScraper;
import dev.prefixrouter.fleet.stats.EngineStats;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One engine the router can send requests to, with its live state. Identity (id, url, key) is immutable; the
 * state is written by the probes (health, models), the stats scraper and the proxy (in-flight), and read without
 * locks by routing: every field is volatile or atomic, and each is meaningful on its own.
 */
public final class Engine {

    private final String id;
    private final URI url;
    private final String apiKey;
    private final boolean modelsConfigured;
    private volatile Set<String> models;
    private volatile boolean healthy;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile EngineStats engineStats;
    private final AtomicInteger failedProbes = new AtomicInteger();
    private final OutlierState outlierState = new OutlierState();

    Engine(EngineSpec spec) {
        this.id = spec.id();
        this.url = stripTrailingSlash(spec.url());
        this.apiKey = spec.apiKey();
        this.modelsConfigured = !spec.models().isEmpty();
        this.models = Set.copyOf(spec.models());
    }

    public String id() {
        return id;
    }

    /** Base URL without a trailing slash; request paths such as {@code /v1/completions} are appended. */
    public URI url() {
        return url;
    }

    public String apiKey() {
        return apiKey;
    }

    public Set<String> models() {
        return models;
    }

    public boolean serves(String model) {
        return models.contains(model);
    }

    public boolean healthy() {
        return healthy;
    }

    /** Healthy and not ejected for failing requests: a candidate for new requests. */
    public boolean inRotation(long nowNanos) {
        return healthy && !outlierState.isEjected(nowNanos);
    }

    public OutlierState outlierState() {
        return outlierState;
    }

    /** Requests the router has sent to this engine that have not finished. */
    public int inFlight() {
        return inFlight.get();
    }

    /** The engine's latest scraped stats, or {@code null} before the first scrape; check their age before use. */
    public EngineStats engineStats() {
        return engineStats;
    }

    /** Stores a scrape's result; called by {@link EngineStatsScraper}. */
    public void engineStats(EngineStats stats) {
        this.engineStats = stats;
    }

    public void requestStarted() {
        inFlight.incrementAndGet();
    }

    public void requestFinished() {
        inFlight.decrementAndGet();
    }

    /** Whether the models were configured (else they are learnt from the engine). */
    public boolean modelsConfigured() {
        return modelsConfigured;
    }

    /** Sets the models the engine says it serves; called by the prober. */
    public void models(Set<String> discovered) {
        this.models = Set.copyOf(discovered);
    }

    /** Returns whether the state changed. */
    public boolean healthy(boolean value) {
        boolean changed = healthy != value;
        healthy = value;
        return changed;
    }

    /** Counts a failed probe; returns how many failed in a row. */
    public int probeFailed() {
        return failedProbes.incrementAndGet();
    }

    public void probeSucceeded() {
        failedProbes.set(0);
    }

    private static URI stripTrailingSlash(URI url) {
        String text = url.toString();
        return text.endsWith("/") ? URI.create(text.substring(0, text.length() - 1)) : url;
    }

    @Override
    public String toString() {
        return "Engine[" + id + " " + url + (healthy ? " healthy" : " unhealthy") + " models=" + models
                + " inFlight=" + inFlight + "]";
    }
}
