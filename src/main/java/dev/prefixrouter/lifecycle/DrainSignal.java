package dev.prefixrouter.lifecycle;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * What the rest of the router needs to know about the drain: whether it has begun (the API's {@code /health} then
 * answers 503, so load balancers that probe it stop sending), and when streams still running must end: shortly
 * before the server's drain timeout ({@code spring.lifecycle.timeout-per-shutdown-phase}) would cut their
 * connections, so that they can end with an SSE error event and a clean close instead.
 */
@Component
public class DrainSignal {

    /** How long before the drain timeout streams are ended (or a quarter of that timeout, if shorter). */
    static final Duration CUTOFF_MARGIN = Duration.ofSeconds(2);

    private final Duration drainTimeout;
    private final Sinks.Empty<Void> cutoff = Sinks.empty();
    private volatile boolean draining;

    public DrainSignal(@Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
    }

    public boolean draining() {
        return draining;
    }

    /** Completes when running streams must end; never, unless the router is shutting down. */
    public Mono<Void> cutoff() {
        return cutoff.asMono();
    }

    /** The drain begins; the server stops accepting after {@code gracePeriod}, then waits the drain timeout. */
    void begin(Duration gracePeriod) {
        draining = true;
        Duration margin = CUTOFF_MARGIN.compareTo(drainTimeout.dividedBy(4)) < 0 ? CUTOFF_MARGIN
                : drainTimeout.dividedBy(4);
        long delay = gracePeriod.plus(drainTimeout).minus(margin).toNanos();
        Schedulers.parallel().schedule(cutoff::tryEmitEmpty, Math.max(0, delay), TimeUnit.NANOSECONDS);
    }
}
