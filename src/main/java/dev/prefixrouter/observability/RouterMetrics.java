package dev.prefixrouter.observability;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * The router's request meters. Tags have bounded cardinality: model (only models the fleet serves, else
 * {@code unknown}), engine id under the tag {@code backend} (or {@code none} when the request never reached one) and HTTP status (499 when the
 * client went away first). Per-engine gauges follow the fleet as engines join and leave.
 */
@Component
public class RouterMetrics implements FleetListener {

    /** Tag value for requests rejected before an engine was chosen. */
    public static final String NO_BACKEND = "none";
    /** Tag value for a model no engine serves. */
    public static final String UNKNOWN_MODEL = "unknown";
    /** Status recorded when the client disconnected before the response ended (as nginx logs it). */
    public static final int CLIENT_CLOSED = 499;

    private final MeterRegistry registry;
    private final Map<String, List<Meter>> engineGauges = new ConcurrentHashMap<>();

    public RouterMetrics(MeterRegistry registry, Fleet fleet) {
        this.registry = registry;
        fleet.addListener(this);
    }

    /** One request finished (in any way), after {@code durationNanos} in the router. */
    public void requestFinished(String model, String engine, int status, long durationNanos) {
        Counter.builder("router.requests")
                .description("Requests handled, by model, engine (tag backend) and HTTP status")
                .tags("model", model, "backend", engine, "status", Integer.toString(status))
                .register(registry)
                .increment();
        latency("router.request.duration", "Time from receiving a request to the end of its response", model,
                engine).record(durationNanos, TimeUnit.NANOSECONDS);
    }

    /** The first response body byte of a request arrived from its engine, {@code nanos} after the request did. */
    public void firstByte(String model, String engine, long nanos) {
        latency("router.request.first.byte", "Time from receiving a request to the first response body byte from"
                + " the engine (time to first token for generation)", model, engine)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A latency histogram from 1 ms to 10 min (a long prefill behind a long queue). */
    private Timer latency(String name, String description, String model, String engine) {
        return Timer.builder(name)
                .description(description)
                .tags("model", model, "backend", engine)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
    }

    @Override
    public void engineAdded(Engine engine) {
        Tags tags = Tags.of("backend", engine.id());
        engineGauges.put(engine.id(), List.of(
                Gauge.builder("router.backend.in.flight", engine, Engine::inFlight)
                        .description("Requests sent to the engine by this router and not yet finished")
                        .tags(tags).register(registry),
                Gauge.builder("router.backend.healthy", engine, e -> e.healthy() ? 1 : 0)
                        .description("1 when the engine passes its health checks, else 0")
                        .tags(tags).register(registry)));
    }

    @Override
    public void engineRemoved(Engine engine) {
        List<Meter> gauges = engineGauges.remove(engine.id());
        if (gauges != null) {
            gauges.forEach(registry::remove);
        }
    }
}
