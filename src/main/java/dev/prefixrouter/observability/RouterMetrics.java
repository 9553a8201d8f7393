package dev.prefixrouter.observability;

import dev.prefixrouter.backend.BackendRegistry;
import dev.prefixrouter.backend.Endpoint;
import dev.prefixrouter.backend.FleetListener;
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
 * {@code unknown}), backend id (or {@code none} when the request never reached one) and HTTP status (499 when the
 * client went away first). Per-backend gauges follow the fleet as engines join and leave.
 */
@Component
public class RouterMetrics implements FleetListener {

    /** Tag value for requests rejected before a backend was chosen. */
    public static final String NO_BACKEND = "none";
    /** Tag value for a model no backend serves. */
    public static final String UNKNOWN_MODEL = "unknown";
    /** Status recorded when the client disconnected before the response ended (as nginx logs it). */
    public static final int CLIENT_CLOSED = 499;

    private final MeterRegistry registry;
    private final Map<String, List<Meter>> backendGauges = new ConcurrentHashMap<>();

    public RouterMetrics(MeterRegistry registry, BackendRegistry backends) {
        this.registry = registry;
        backends.addListener(this);
    }

    /** One request finished (in any way), after {@code durationNanos} in the router. */
    public void requestFinished(String model, String backend, int status, long durationNanos) {
        Counter.builder("router.requests")
                .description("Requests handled, by model, backend and HTTP status")
                .tags("model", model, "backend", backend, "status", Integer.toString(status))
                .register(registry)
                .increment();
        latency("router.request.duration", "Time from receiving a request to the end of its response", model,
                backend).record(durationNanos, TimeUnit.NANOSECONDS);
    }

    /** The first response body byte of a request arrived from its backend, {@code nanos} after the request did. */
    public void firstByte(String model, String backend, long nanos) {
        latency("router.request.first.byte", "Time from receiving a request to the first response body byte from"
                + " the backend (time to first token for generation)", model, backend)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A latency histogram from 1 ms to 10 min (a long prefill behind a long queue). */
    private Timer latency(String name, String description, String model, String backend) {
        return Timer.builder(name)
                .description(description)
                .tags("model", model, "backend", backend)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
    }

    @Override
    public void endpointAdded(Endpoint endpoint) {
        Tags tags = Tags.of("backend", endpoint.id());
        backendGauges.put(endpoint.id(), List.of(
                Gauge.builder("router.backend.in.flight", endpoint, Endpoint::inFlight)
                        .description("Requests sent to the backend by this router and not yet finished")
                        .tags(tags).register(registry),
                Gauge.builder("router.backend.healthy", endpoint, e -> e.healthy() ? 1 : 0)
                        .description("1 when the backend passes its health checks, else 0")
                        .tags(tags).register(registry)));
    }

    @Override
    public void endpointRemoved(Endpoint endpoint) {
        List<Meter> gauges = backendGauges.remove(endpoint.id());
        if (gauges != null) {
            gauges.forEach(registry::remove);
        }
    }
}
