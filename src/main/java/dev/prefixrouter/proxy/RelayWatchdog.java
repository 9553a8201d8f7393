package dev.prefixrouter.proxy;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The time limits of one relayed response body, kept by a single timer on the engine connection's event loop:
 * the first buffer must arrive before a deadline, each next one within an idle timeout of the one before. A
 * buffer only notes the time; the timer, when it fires, checks the time of the last one and either fails
 * {@link #expired()} or sets itself again for the rest of the interval (the way Netty's idle handlers work).
 * Reactor's per-item {@code timeout} would schedule and cancel a task on a shared scheduler thread for every
 * buffer of a stream, from every event loop.
 *
 * <p>{@link #bufferArrived()} is called on the connection's event loop, where the timer runs too; not thread-safe
 * otherwise.
 */
final class RelayWatchdog {

    private final EventLoop loop;
    private final long deadlineNanos;
    private final long idleNanos;
    private final Sinks.Empty<Void> expired = Sinks.empty();
    private final Runnable check = this::check;

    private boolean bufferSeen;
    private long lastBufferNanos;
    private ScheduledFuture<?> timer;
    private boolean stopped;

    /** Until {@code deadlineNanos} ({@link System#nanoTime()}) for the first buffer, {@code idleNanos} after that. */
    RelayWatchdog(EventLoop loop, long deadlineNanos, long idleNanos) {
        this.loop = loop;
        this.deadlineNanos = deadlineNanos;
        this.idleNanos = idleNanos;
    }

    /** Fails with a {@link TimeoutException} when a limit passes; never completes otherwise. */
    Mono<Void> expired() {
        return expired.asMono();
    }

    /** Starts the timer (on the event loop, from any thread). */
    void start() {
        if (loop.inEventLoop()) {
            schedule(deadlineNanos - System.nanoTime());
        } else {
            loop.execute(() -> schedule(deadlineNanos - System.nanoTime()));
        }
    }

    /** A buffer arrived: the next must come within the idle timeout. */
    void bufferArrived() {
        bufferSeen = true;
        lastBufferNanos = System.nanoTime();
    }

    /** The body ended, failed or was cancelled: the timer goes (on the event loop, from any thread). */
    void stop() {
        if (loop.inEventLoop()) {
            cancel();
        } else {
            loop.execute(this::cancel);
        }
    }

    private void schedule(long delayNanos) {
        if (!stopped) {
            timer = loop.schedule(check, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        }
    }

    private void cancel() {
        stopped = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void check() {
        timer = null;
        if (stopped) {
            return;
        }
        long due = bufferSeen ? lastBufferNanos + idleNanos : deadlineNanos;
        long left = due - System.nanoTime();
        if (left > 0) {
            schedule(left);
        } else {
            stopped = true;
            expired.tryEmitError(new TimeoutException("no signal from the engine within the timeout"));
        }
    }
}
