package dev.prefixrouter.kvevents;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One engine's KV-event meters, all tagged {@code engine}: batches received, events applied, what was dropped,
 * replays and forgettings by reason, and whether the stream is live. Reasons and outcomes are a handful of fixed
 * words, so the series count stays bounded; {@link #remove()} takes every series of the engine away when it leaves
 * the fleet. Written by the engine's subscriber thread only; read by the registry from any thread.
 */
final class KvEventMeters {

    /** A payload (or its frames) that could not be decoded. */
    static final String MALFORMED = "malformed";
    /** An event of a type this router does not know. */
    static final String UNKNOWN_EVENT = "unknown_event";
    /** A batch lost in a sequence gap that replay did not fill. */
    static final String GAP_UNRECOVERED = "gap_unrecovered";

    static final String RESTART = "restart";
    static final String GAP = "gap";
    static final String REMOVED = "removed";
    static final String SINK_FAILED = "sink_failed";
    /** The engine reported {@code AllBlocksCleared} (counted here; the sink applies the event). */
    static final String CLEARED = "cleared";

    private final MeterRegistry registry;
    private final String engineId;
    private final List<Meter> registered = new ArrayList<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final AtomicInteger live = new AtomicInteger();
    private final Counter received;
    private final Counter applied;

    KvEventMeters(MeterRegistry registry, String engineId) {
        this.registry = registry;
        this.engineId = engineId;
        this.received = counter("router.kv.events.received", "KV-event batches received from the engine, live or"
                + " replayed", null, null);
        this.applied = counter("router.kv.events.applied", "KV events delivered to the precise index", null, null);
        // Registered at 0, so that dashboards and alerts see a rate of 0 rather than no data until the first one.
        for (String reason : List.of(MALFORMED, UNKNOWN_EVENT, GAP_UNRECOVERED)) {
            dropped(reason, 0);
        }
        replay(true, 0);
        replay(false, 0);
        for (String reason : List.of(RESTART, GAP, SINK_FAILED, CLEARED)) {
            forgotten(reason, 0);
        }
        synchronized (registered) {
            registered.add(Gauge.builder("router.kv.events.live", live, AtomicInteger::get)
                    .description("1 while the engine's KV-event stream is subscribed and in sequence, else 0")
                    .tag("engine", engineId).register(registry));
        }
    }

    void received() {
        received.increment();
    }

    void applied(int events) {
        applied.increment(events);
    }

    void dropped(String reason, long count) {
        counter("router.kv.events.dropped", "KV-event batches or events the router could not use, by reason",
                "reason", reason).increment(count);
    }

    void replay(boolean ok) {
        replay(ok, 1);
    }

    private void replay(boolean ok, int count) {
        counter("router.kv.events.replays", "Replays of missed KV-event batches, by outcome", "outcome",
                ok ? "ok" : "failed").increment(count);
    }

    void forgotten(String reason) {
        forgotten(reason, 1);
    }

    private void forgotten(String reason, int count) {
        counter("router.kv.events.forgotten", "Times everything the engine reported was forgotten, by reason",
                "reason", reason).increment(count);
    }

    void live(boolean value) {
        live.set(value ? 1 : 0);
    }

    /** Removes every series of the engine from the registry. */
    void remove() {
        synchronized (registered) {
            registered.forEach(registry::remove);
            registered.clear();
            counters.clear();
        }
    }

    private Counter counter(String name, String description, String tag, String value) {
        return counters.computeIfAbsent(name + (tag == null ? "" : "|" + value), key -> {
            Counter.Builder builder = Counter.builder(name).description(description).tag("engine", engineId);
            Counter counter = (tag == null ? builder : builder.tag(tag, value)).register(registry);
            synchronized (registered) {
                registered.add(counter);
            }
            return counter;
        });
    }
}
