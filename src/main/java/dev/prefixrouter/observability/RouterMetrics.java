package dev.prefixrouter.observability;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
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
 * {@code unknown}), engine id under the tag {@code backend} (or {@code none} when the request never reached one,
 * {@code departed} when its engine has left), HTTP status (499 when the client went away first), retry reason.
 * Every meter of an engine is removed when it leaves the fleet, so churn does not grow the series count.
 */
@Component
public class RouterMetrics implements FleetListener {

    /** Tag value for requests rejected before an engine was chosen. */
    public static final String NO_BACKEND = "none";
    /** Tag value for a model no engine serves. */
    public static final String UNKNOWN_MODEL = "unknown";
    /** Status recorded when the client disconnected before the response ended (as nginx logs it). */
    public static final int CLIENT_CLOSED = 499;

    /** Tag value for requests that finish after their engine left the fleet (its own series are gone). */
    public static final String DEPARTED = "departed";

    /** Every reason a request moves on to another engine (the proxy's retry rules), counted from the start. */
    public static final List<String> RETRY_REASONS = List.of("connect_failed", "engine_unavailable",
            "engine_failed_after_accepting", "first_byte_timeout", "engine_stalled", "pool_saturated");

    private final MeterRegistry registry;
    private final Fleet fleet;
    private final Map<String, Counter> retries = new ConcurrentHashMap<>();
    private final Map<String, List<Meter>> engineGauges = new ConcurrentHashMap<>();
    private final Map<MeterKey, RequestMeters> requestMeters = new ConcurrentHashMap<>();

    public RouterMetrics(MeterRegistry registry, Fleet fleet) {
        this.registry = registry;
        this.fleet = fleet;
        fleet.addListener(this);
        RETRY_REASONS.forEach(this::retryCounter); // at 0, so that rate() sees the first retry
    }

    /** A request was sent to another engine after this attempt, for {@code reason}. */
    public void retried(String reason) {
        retryCounter(reason).increment();
    }

    private Counter retryCounter(String reason) {
        return retries.computeIfAbsent(reason, key -> Counter.builder("router.retries")
                .description("Requests sent to another engine after an attempt failed, by reason")
                .tag("reason", key)
                .register(registry));
    }

    /** One request finished (in any way), after {@code durationNanos} in the router. */
    public void requestFinished(String model, String engine, int status, long durationNanos) {
        RequestMeters meters = meters(model, member(engine));
        meters.finished(status).increment();
        meters.duration().record(durationNanos, TimeUnit.NANOSECONDS);
    }

    /** The first response body byte of a request arrived from its engine, {@code nanos} after the request did. */
    public void firstByte(String model, String engine, long nanos) {
        meters(model, member(engine)).firstByte().record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The meters of one (model, engine), registered once and then looked up in one map: building and registering
     * them per request cost a few per cent of the router's CPU on the request path.
     */
    private RequestMeters meters(String model, String engine) {
        return requestMeters.computeIfAbsent(new MeterKey(model, engine), key -> new RequestMeters(
                latency("router.request.duration", "Time from receiving a request to the end of its response",
                        model, engine),
                latency("router.request.first.byte", "Time from receiving a request to the first response body"
                        + " byte from the engine (time to first token for generation)", model, engine),
                new ConcurrentHashMap<>()));
    }

    private record MeterKey(String model, String engine) {
    }

    /** One (model, engine)'s timers and its request counters by status. */
    private final class RequestMeters {
        private final Timer duration;
        private final Timer firstByte;
        private final Map<Integer, Counter> byStatus;
        private final String model;
        private final String engine;

        RequestMeters(Timer duration, Timer firstByte, Map<Integer, Counter> byStatus) {
            this.duration = duration;
            this.firstByte = firstByte;
            this.byStatus = byStatus;
            this.model = duration.getId().getTag("model");
            this.engine = duration.getId().getTag("backend");
        }

        Timer duration() {
            return duration;
        }

        Timer firstByte() {
            return firstByte;
        }

        Counter finished(int status) {
            return byStatus.computeIfAbsent(status, code -> Counter.builder("router.requests")
                    .description("Requests handled, by model, engine (tag backend) and HTTP status")
                    .tags("model", model, "backend", engine, "status", Integer.toString(code))
                    .register(registry));
        }
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

    /** The engine's id while it is in the fleet, so that series of engines that left are not created again. */
    private String member(String engine) {
        return engine.equals(NO_BACKEND) || fleet.find(engine).isPresent() ? engine : DEPARTED;
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
                        .tags(tags).register(registry),
                FunctionCounter.builder("router.backend.stalls", engine, Engine::stalls)
                        .description("Times the engine held requests and gave nothing back for the stall timeout")
                        .tags(tags).register(registry)));
    }

    @Override
    public void engineRemoved(Engine engine) {
        engineGauges.remove(engine.id());
        requestMeters.keySet().removeIf(key -> key.engine().equals(engine.id()));
        // Every meter tagged with the engine, its request counters and latency histograms too: pod churn must not
        // grow the series count without bound.
        for (Meter meter : List.copyOf(registry.getMeters())) {
            if (engine.id().equals(meter.getId().getTag("backend"))) {
                registry.remove(meter);
            }
        }
    }
}
