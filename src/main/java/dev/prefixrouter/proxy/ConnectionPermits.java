package dev.prefixrouter.proxy;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * One engine's connections in use, bounded across the per-event-loop connection pools ({@link EngineRequests}):
 * at most {@code max-connections-per-backend} requests hold a connection to the engine at once; beyond, up to
 * {@code max-pending-acquires} wait, each at most {@code pending-acquire-timeout}, for one to be given back, first
 * come first served; beyond that, or after that wait, the request fails with {@link UpstreamFailures.PoolSaturated}
 * (the router's saturation: the next ranked engine is tried). A permit is taken without a lock while one is free; a
 * request may then overtake one already waiting, which a wait of milliseconds makes no worse than a race for a
 * connection. Waiting and giving back are serialised on this object, so a permit given back always reaches a waiter.
 */
final class ConnectionPermits {

    private final String engine;
    private final int max;
    private final int maxWaiting;
    private final long timeoutNanos;
    private final AtomicInteger inUse = new AtomicInteger();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    ConnectionPermits(String engine, int max, int maxWaiting, Duration timeout) {
        this.engine = engine;
        this.max = max;
        this.maxWaiting = maxWaiting;
        this.timeoutNanos = timeout.toNanos();
    }

    /**
     * Completes once the caller holds a permit, which it must give back with {@link #release()}; a wait is timed on
     * {@code loop} (the request's event loop). A cancelled wait takes no permit.
     */
    Mono<Void> acquire(EventLoop loop) {
        if (tryAcquire()) {
            return Mono.empty();
        }
        return Mono.create(sink -> enqueue(sink, loop));
    }

    /** Gives a permit back: to the longest waiter, or to the pool of free ones. */
    void release() {
        Waiter next;
        synchronized (this) {
            next = waiters.poll();
            if (next == null) {
                inUse.decrementAndGet();
                return;
            }
            next.granted = true;
        }
        next.grant();
    }

    /** Permits held, for tests and diagnostics. */
    int inUse() {
        return inUse.get();
    }

    private boolean tryAcquire() {
        for (int used = inUse.get(); used < max; used = inUse.get()) {
            if (inUse.compareAndSet(used, used + 1)) {
                return true;
            }
        }
        return false;
    }

    private void enqueue(MonoSink<Void> sink, EventLoop loop) {
        Waiter waiter;
        synchronized (this) {
            if (tryAcquire()) { // one was given back since the first look
                sink.success();
                return;
            }
            if (waiters.size() >= maxWaiting) {
                sink.error(new UpstreamFailures.PoolSaturated(engine, "all " + max + " connections busy and "
                        + maxWaiting + " requests already waiting (router.proxy.max-pending-acquires)"));
                return;
            }
            waiter = new Waiter(sink);
            waiters.add(waiter);
        }
        Runnable timedOut = () -> {
            if (withdraw(waiter)) {
                sink.error(new UpstreamFailures.PoolSaturated(engine, "no connection free within "
                        + Duration.ofNanos(timeoutNanos) + " (router.proxy.pending-acquire-timeout)"));
            }
        };
        waiter.timer = loop != null ? loop.schedule(timedOut, timeoutNanos, TimeUnit.NANOSECONDS) : null;
        sink.onCancel(() -> {
            if (!withdraw(waiter) && waiter.granted) {
                release(); // granted as the caller left: not used, so given on
            }
        });
    }

    /** Takes a waiter out of the queue; false when it was no longer there (granted, or withdrawn already). */
    private boolean withdraw(Waiter waiter) {
        synchronized (this) {
            if (!waiters.remove(waiter)) {
                return false;
            }
        }
        if (waiter.timer != null) {
            waiter.timer.cancel(false);
        }
        return true;
    }

    /** A request waiting for a permit. {@code granted} is written under the permits' lock. */
    private static final class Waiter {
        private final MonoSink<Void> sink;
        private volatile ScheduledFuture<?> timer;
        private volatile boolean granted;

        Waiter(MonoSink<Void> sink) {
            this.sink = sink;
        }

        void grant() {
            ScheduledFuture<?> pending = timer;
            if (pending != null) {
                pending.cancel(false);
            }
            sink.success();
        }
    }
}
