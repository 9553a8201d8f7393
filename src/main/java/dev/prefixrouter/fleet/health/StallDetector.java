package dev.prefixrouter.fleet.health;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import lombok.extern.slf4j.Slf4j;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

/**
 * Finds engines that hold requests and give nothing back: in flight, and no progress on any of them for
 * {@code router.health-check.stall-timeout}. Such an engine is stalled ({@link Engine#stall()}): out of rotation at
 * once rather than after three failed probes or five failed requests, and its requests that have sent their
 * clients nothing are aborted so that they can go to another engine. The prober brings it back on its next
 * successful probe. Checks four times per timeout (at least every second) on the parallel scheduler.
 */
@Slf4j
@Component
public class StallDetector implements SmartLifecycle {

    private final Fleet fleet;
    private final long timeoutNanos;
    private volatile Disposable loop;

    public StallDetector(Fleet fleet, HealthCheckProperties properties) {
        this.fleet = fleet;
        this.timeoutNanos = properties.stallTimeout().toNanos();
    }

    @Override
    public void start() {
        if (timeoutNanos == 0) {
            log.info("stall detection is off (router.health-check.stall-timeout=0)");
            return;
        }
        long period = Math.max(Duration.ofMillis(50).toNanos(), Math.min(timeoutNanos / 4,
                Duration.ofSeconds(1).toNanos()));
        loop = Schedulers.parallel().schedulePeriodically(this::check, period, period, TimeUnit.NANOSECONDS);
    }

    /** One pass over the fleet; stalls the engines that have been silent too long. */
    void check() {
        long now = System.nanoTime();
        for (Engine engine : fleet.engines()) {
            long silent = now - engine.lastProgressNanos();
            if (engine.inFlight() > 0 && silent > timeoutNanos && !engine.stalled() && engine.stall()) {
                log.warn("engine {} stalled: {} requests in flight and nothing back for {} ms; out of rotation"
                        + " until a probe succeeds, its waiting requests go elsewhere", engine.id(),
                        engine.inFlight(), silent / 1_000_000);
            }
        }
    }

    @Override
    public void stop() {
        Disposable running = loop;
        if (running != null) {
            running.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        Disposable running = loop;
        return running != null && !running.isDisposed();
    }
}
