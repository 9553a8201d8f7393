package dev.prefixrouter.lifecycle;

import java.time.Duration;
import lombok.extern.slf4j.Slf4j;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.scheduler.Schedulers;

/**
 * The first step of shutdown, before the web server's graceful stop: turns readiness DOWN (and the API's
 * {@code /health} to 503, through {@link DrainSignal}), then keeps serving
 * for {@code router.shutdown.grace-period} so that load balancers polling readiness (and Kubernetes engines)
 * stop sending new requests before the listening socket closes. Spring Boot's graceful shutdown then stops
 * accepting connections and lets in-flight streams finish.
 */
@Slf4j
@Component
public class GracefulDrain implements SmartLifecycle {

    private final ApplicationEventPublisher events;
    private final Duration gracePeriod;
    private final DrainSignal drain;
    private volatile boolean running;

    public GracefulDrain(ApplicationEventPublisher events, ShutdownProperties properties, DrainSignal drain) {
        this.events = events;
        this.gracePeriod = properties.gracePeriod();
        this.drain = drain;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        throw new UnsupportedOperationException("stop(Runnable) is the only way to stop");
    }

    @Override
    public void stop(Runnable callback) {
        running = false;
        drain.begin(gracePeriod);
        AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
        log.info("shutting down: readiness DOWN; still serving for {} before closing the listening socket",
                gracePeriod);
        Schedulers.parallel().schedule(callback, gracePeriod.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops right before the web server's graceful shutdown phase. */
    @Override
    public int getPhase() {
        return WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE + 1;
    }
}
