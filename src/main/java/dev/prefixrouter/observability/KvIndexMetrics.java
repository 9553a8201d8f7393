package dev.prefixrouter.observability;

import dev.prefixrouter.kvevents.EventApplier;
import dev.prefixrouter.kvevents.PreciseIndex;
import dev.prefixrouter.kvevents.PreciseIndexStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToDoubleFunction;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The precise (KV-event) index's meters, {@code router.kv.index.*}: size against budget and evictions. Registered
 * only when the router runs with KV events ({@link EventApplier} exists), so a router without them exposes the
 * same meters as before. One stats snapshot (a short lock hold) serves a scrape's gauges.
 */
@Component
public class KvIndexMetrics implements MeterBinder {

    private static final long SNAPSHOT_NANOS = 10_000_000;

    private final ObjectProvider<EventApplier> applier;
    private PreciseIndex index;
    private volatile PreciseIndexStats snapshot;
    private volatile long snapshotAt;

    public KvIndexMetrics(ObjectProvider<EventApplier> applier) {
        this.applier = applier;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        EventApplier events = applier.getIfAvailable();
        if (events == null) {
            return;
        }
        index = events.index();
        gauge(registry, "router.kv.index.bytes", "Accounted bytes of the precise index", PreciseIndexStats::bytes);
        gauge(registry, "router.kv.index.max.bytes", "router.kv-events.max-memory", PreciseIndexStats::maxBytes);
        gauge(registry, "router.kv.index.entries", "Router block keys in the precise index",
                PreciseIndexStats::keys);
        gauge(registry, "router.kv.index.mappings", "Engine block hashes mapped to router keys",
                PreciseIndexStats::mappings);
        FunctionCounter.builder("router.kv.index.evictions", this, m -> m.stats().evictions())
                .description("Keys and mappings evicted from the precise index to stay within its budget")
                .register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description,
            ToDoubleFunction<PreciseIndexStats> value) {
        Gauge.builder(name, this, m -> value.applyAsDouble(m.stats())).description(description).register(registry);
    }

    private PreciseIndexStats stats() {
        long now = System.nanoTime();
        PreciseIndexStats current = snapshot;
        if (current == null || now - snapshotAt > SNAPSHOT_NANOS) {
            current = index.stats();
            snapshot = current;
            snapshotAt = now;
        }
        return current;
    }
}
