package dev.prefixrouter.fleet;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One engine's passive-health record: failures in a row, and the ejection in force. Updated from event loops
 * with atomics; a race between two failures at the threshold can at worst eject twice in a row, which only
 * lengthens one ejection.
 */
public final class OutlierState {

    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicInteger ejections = new AtomicInteger();
    private volatile long ejectedUntilNanos;
    private volatile boolean ejected;

    public int failed() {
        return consecutiveFailures.incrementAndGet();
    }

    public void succeeded() {
        consecutiveFailures.set(0);
        ejections.set(0);
    }

    /** Ejects from {@code now}; returns the ejection's length in nanoseconds. */
    public long eject(long now, Duration base, Duration max) {
        int count = ejections.incrementAndGet();
        long nanos = base.toNanos() << Math.min(count - 1, 20);
        nanos = nanos <= 0 ? max.toNanos() : Math.min(nanos, max.toNanos());
        ejectedUntilNanos = now + nanos;
        ejected = true;
        consecutiveFailures.set(0);
        return nanos;
    }

    public boolean isEjected(long now) {
        return ejected && now - ejectedUntilNanos < 0;
    }

    /** Nanoseconds of ejection left, 0 when in rotation. */
    public long ejectionRemainingNanos(long now) {
        return isEjected(now) ? ejectedUntilNanos - now : 0;
    }

    public int consecutiveFailures() {
        return consecutiveFailures.get();
    }

    /** Ejections since the last success. */
    public int ejections() {
        return ejections.get();
    }
}
