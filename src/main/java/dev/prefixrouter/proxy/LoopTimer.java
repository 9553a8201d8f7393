package dev.prefixrouter.proxy;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;

/**
 * Delays timed by the event loop that serves a request, for the timeouts every proxied request starts and almost
 * always cancels: scheduled and cancelled in the loop's own task queue, where Reactor's {@code timeout(Duration)}
 * would go through a shared scheduler's thread pool (a lock, and another thread) twice per request.
 */
final class LoopTimer {

    private LoopTimer() {
    }

    /** Emits {@code 0} after {@code delay}, timed on {@code loop} ({@link Mono#delay} when it is null). */
    static Mono<Long> after(EventLoop loop, Duration delay) {
        if (loop == null) {
            return Mono.delay(delay);
        }
        long nanos = delay.toNanos();
        return Mono.create(sink -> {
            ScheduledFuture<?> timer = loop.schedule(() -> sink.success(0L), nanos, TimeUnit.NANOSECONDS);
            sink.onCancel(() -> timer.cancel(false));
        });
    }
}
