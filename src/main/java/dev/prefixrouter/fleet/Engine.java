package dev.prefixrouter.fleet;

import dev.prefixrouter.fleet.stats.EngineStats;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One engine the router can send requests to, with its live state. Identity (id, url, key) is immutable; the
 * state is written by the probes (health, models, recovery from a stall), the stats scraper, the stall detector
 * and the proxy (in-flight, progress), and read without locks by routing: every field is volatile or atomic, and
 * each is meaningful on its own.
 *
 * <p>Progress: the last time anything came back from the engine (response headers, a body buffer, or token
 * counters that moved between two scrapes), or the time it went from idle to busy. An engine with requests in
 * flight and no progress for {@code router.health-check.stall-timeout} is stalled: out of rotation at once, and
 * the attempts waiting on it that have sent their clients nothing are aborted (their hooks run) so that they can
 * go elsewhere; the next successful probe brings it back.
 */
public final class Engine {

    /** How finely progress is timed: stalls are counted in seconds. */
    private static final long PROGRESS_RESOLUTION_NANOS = 1_000_000;

    private final String id;
    private final URI url;
    private final String apiKey;
    private final boolean modelsConfigured;
    private final String kvEventsEndpoint;
    private volatile Set<String> models;
    private volatile boolean healthy;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile EngineStats engineStats;
    private final AtomicInteger failedProbes = new AtomicInteger();
    private final OutlierState outlierState = new OutlierState();
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile boolean stalled;
    private final AtomicInteger stalls = new AtomicInteger();
    private final Set<Runnable> stallHooks = ConcurrentHashMap.newKeySet();
    private final Map<String, URI> resolved = new ConcurrentHashMap<>();

    Engine(EngineSpec spec) {
        this.id = spec.id();
        this.url = stripTrailingSlash(spec.url());
        this.apiKey = spec.apiKey();
        this.modelsConfigured = !spec.models().isEmpty();
        this.kvEventsEndpoint = spec.kvEventsEndpoint();
        this.models = Set.copyOf(spec.models());
    }

    public String id() {
        return id;
    }

    /** Base URL without a trailing slash; request paths such as {@code /v1/completions} are appended. */
    public URI url() {
        return url;
    }

    /**
     * The engine's URL for {@code path} (e.g. {@code /tokenize}), parsed once per path and kept while the engine
     * is: for the handful of fixed paths its callers ask for, never one that names something.
     */
    public URI resolve(String path) {
        return resolved.computeIfAbsent(path, p -> URI.create(url + p));
    }

    public String apiKey() {
        return apiKey;
    }

    /** Where the engine publishes its KV-cache events, as discovery learnt it, or {@code null}. */
    public String kvEventsEndpoint() {
        return kvEventsEndpoint;
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

    /** Healthy, not stalled and not ejected for failing requests: a candidate for new requests. */
    public boolean inRotation(long nowNanos) {
        return healthy && !stalled && !outlierState.isEjected(nowNanos);
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

    /** Stores a scrape's result; called by the stats scraper. */
    public void engineStats(EngineStats stats) {
        this.engineStats = stats;
    }

    public void requestStarted() {
        if (inFlight.getAndIncrement() == 0) {
            lastProgressNanos = System.nanoTime(); // idle until now: the wait for progress starts here
        }
    }

    /** Something came back from the engine. */
    public void progressed() {
        long now = System.nanoTime();
        // Every buffer of every stream reports progress, from every event loop: writing the shared field only
        // when it moved by a millisecond keeps its cache line from bouncing between cores (stalls are seconds).
        if (now - lastProgressNanos > PROGRESS_RESOLUTION_NANOS) {
            lastProgressNanos = now;
        }
    }

    /** {@link System#nanoTime()} of the last progress (or of the start of the current busy spell). */
    public long lastProgressNanos() {
        return lastProgressNanos;
    }

    public boolean stalled() {
        return stalled;
    }

    /** Times this engine was found stalled since it joined. */
    public int stalls() {
        return stalls.get();
    }

    /**
     * Registers what to do if this engine is found stalled (abort an attempt that has sent its client nothing);
     * run the returned action to take it back.
     */
    public Runnable onStall(Runnable hook) {
        stallHooks.add(hook);
        return () -> stallHooks.remove(hook);
    }

    /** Takes the engine out of rotation for making no progress and runs the stall hooks; false if it already was. */
    public boolean stall() {
        synchronized (stallHooks) {
            if (stalled) {
                return false;
            }
            stalled = true;
        }
        stalls.incrementAndGet();
        for (Runnable hook : List.copyOf(stallHooks)) {
            hook.run();
        }
        return true;
    }

    /** Back in rotation after a stall (a probe succeeded); returns whether it was stalled. */
    public boolean recoverFromStall() {
        synchronized (stallHooks) {
            boolean was = stalled;
            if (was) {
                stalled = false;
                lastProgressNanos = System.nanoTime(); // a fresh start: its silence so far has been dealt with
            }
            return was;
        }
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
