package dev.prefixrouter.admission;

import dev.prefixrouter.error.ApiException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import lombok.extern.slf4j.Slf4j;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * The router's budget for request memory ({@code router.limits.max-buffered-bytes}) and, optionally, for requests
 * at once ({@code max-concurrent-requests}). A request takes a {@link Permit} for the bytes it will hold before it
 * reads its body, and gives it back when its body is released (the engine that serves it answered) or when it
 * ends. A request that does not fit waits in a first-come-first-served queue of at most
 * {@code max-waiting-requests}, for at most {@code admission-timeout}; then, or when the queue is full, it is
 * refused with an OpenAI-style 503 and {@code Retry-After}. A body larger than the whole budget can never fit: 413.
 * A burst of long prompts therefore meets clean refusals instead of an {@code OutOfMemoryError}.
 *
 * <p>Concurrency: called from event loops. All state is guarded by {@code this}, held for a few field updates;
 * granted waiters are told after the lock is let go. Strict FIFO: a request that fits still queues behind one that
 * does not, so large prompts are not starved by small ones.
 */
@Slf4j
@Component
public class AdmissionControl implements MeterBinder {

    /** Why a request was refused, as the {@code reason} tag of {@code router.admission.rejected}. */
    public enum Rejection {
        /** The waiting queue was full. */
        QUEUE_FULL,
        /** It waited {@code admission-timeout} without room coming free. */
        TIMEOUT,
        /** A body of unannounced length grew past the room left. */
        BODY_BUDGET,
        /** Every candidate engine's connection pool was saturated. */
        ENGINE_POOLS,
        /** The body is larger than the whole budget. */
        TOO_LARGE;

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final long budget;
    private final int maxConcurrent;
    private final int maxWaiting;
    private final Duration timeout;
    private final Duration retryAfter;
    private final Map<Rejection, LongAdder> rejections = new EnumMap<>(Rejection.class);
    private final LongAdder admitted = new LongAdder();
    private volatile Timer waits;

    // Guarded by this.
    private long inUse;
    private int active;
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();

    public AdmissionControl(LimitsProperties limits) {
        this.budget = limits.maxBufferedBytes().toBytes();
        this.maxConcurrent = limits.maxConcurrentRequests() == 0 ? Integer.MAX_VALUE : limits.maxConcurrentRequests();
        this.maxWaiting = limits.maxWaitingRequests();
        this.timeout = limits.admissionTimeout();
        this.retryAfter = limits.retryAfter();
        for (Rejection reason : Rejection.values()) {
            rejections.put(reason, new LongAdder());
        }
        log.info("request memory budget {} bytes (router.limits.max-buffered-bytes), {} requests at once, {} may"
                        + " wait up to {}", budget,
                maxConcurrent == Integer.MAX_VALUE ? "any number of" : maxConcurrent, maxWaiting, timeout);
    }

    /**
     * A permit for {@code bytes}, at once when they fit and nobody is waiting, else after waiting in line; errors
     * with the 503 (or 413) the client should see. Cancelling the returned {@code Mono} gives the place back.
     */
    public Mono<Permit> admit(long bytes) {
        if (bytes > budget) {
            rejected(Rejection.TOO_LARGE);
            return Mono.error(ApiException.bodyTooLarge(budget, "router.limits.max-buffered-bytes"));
        }
        Waiter waiter;
        synchronized (this) {
            if (waiting.isEmpty() && fits(bytes)) {
                take(bytes);
                admitted.increment();
                return Mono.just(new Permit(bytes));
            }
            if (waiting.size() >= maxWaiting) {
                waiter = null;
            } else {
                waiter = new Waiter(bytes, System.nanoTime());
                waiting.addLast(waiter);
            }
        }
        if (waiter == null) {
            return Mono.error(() -> refusal(Rejection.QUEUE_FULL));
        }
        return Mono.<Permit>create(waiter::attach)
                .timeout(timeout, Mono.error(() -> refusal(Rejection.TIMEOUT)));
    }

    /** Counts a refusal made elsewhere (e.g. every engine's pool was full) and returns the error for the client. */
    public ApiException refusal(Rejection reason) {
        rejected(reason);
        return ApiException.overloaded(describe(reason), retryAfter);
    }

    /** A snapshot for operators. */
    public synchronized Usage usage() {
        Map<String, Long> refused = new java.util.LinkedHashMap<>();
        rejections.forEach((reason, count) -> refused.put(reason.tag(), count.sum()));
        return new Usage(inUse, budget, active, maxConcurrent == Integer.MAX_VALUE ? 0 : maxConcurrent,
                waiting.size(), maxWaiting, admitted.sum(), refused);
    }

    /**
     * @param bufferedBytes         bytes held by admitted requests
     * @param budgetBytes           {@code router.limits.max-buffered-bytes}
     * @param active                requests holding a permit
     * @param maxConcurrentRequests 0 for no limit
     * @param waiting               requests waiting for room
     * @param maxWaiting            {@code router.limits.max-waiting-requests}
     * @param admitted              requests admitted since start
     * @param rejected              refusals since start, by reason
     */
    public record Usage(long bufferedBytes, long budgetBytes, int active, int maxConcurrentRequests, int waiting,
            int maxWaiting, long admitted, Map<String, Long> rejected) {
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("router.admission.buffered.bytes", this, c -> c.usage().bufferedBytes()).baseUnit("bytes")
                .description("Bytes held by admitted requests (bodies and routing keys)").register(registry);
        Gauge.builder("router.admission.budget.bytes", this, c -> c.budget).baseUnit("bytes")
                .description("router.limits.max-buffered-bytes").register(registry);
        Gauge.builder("router.admission.active", this, c -> c.usage().active())
                .description("Requests holding request memory").register(registry);
        Gauge.builder("router.admission.waiting", this, c -> c.usage().waiting())
                .description("Requests waiting for request memory").register(registry);
        for (Rejection reason : Rejection.values()) {
            FunctionCounter.builder("router.admission.rejected", rejections.get(reason), LongAdder::sum)
                    .description("Requests refused for lack of room, by reason").tag("reason", reason.tag())
                    .register(registry);
        }
        waits = Timer.builder("router.admission.wait").description("Time admitted requests waited for room")
                .register(registry);
    }

    private boolean fits(long bytes) {
        return active < maxConcurrent && inUse + bytes <= budget;
    }

    private void take(long bytes) {
        inUse += bytes;
        active++;
    }

    private void rejected(Rejection reason) {
        rejections.get(reason).increment();
    }

    private synchronized String describe(Rejection reason) {
        String state = active + " requests hold " + inUse + " of " + budget
                + " bytes of request memory (router.limits.max-buffered-bytes)"
                + (maxConcurrent == Integer.MAX_VALUE ? "" : ", at most " + maxConcurrent + " at once")
                + ", and " + waiting.size() + " are waiting.";
        return switch (reason) {
            case QUEUE_FULL -> "no room for this request and the waiting line is full ("
                    + maxWaiting + ", router.limits.max-waiting-requests): " + state;
            case TIMEOUT -> "no room for this request within " + timeout.toMillis()
                    + " ms (router.limits.admission-timeout): " + state;
            case BODY_BUDGET -> "the request body grew past the room left: " + state;
            case ENGINE_POOLS -> "every engine that serves the model has all its connections busy and a full"
                    + " queue for more (router.proxy.max-connections-per-backend, max-pending-acquires).";
            case TOO_LARGE -> "the body is larger than the whole request-memory budget.";
        };
    }

    /** Gives back {@code bytes} (and a request, when {@code ending}), then admits waiters that now fit. */
    private void giveBack(long bytes, boolean ending) {
        List<Waiter> granted = null;
        synchronized (this) {
            inUse -= bytes;
            if (ending) {
                active--;
            }
            Waiter head;
            while ((head = waiting.peekFirst()) != null && fits(head.bytes)) {
                waiting.pollFirst();
                take(head.bytes);
                head.permit = new Permit(head.bytes);
                if (granted == null) {
                    granted = new ArrayList<>(2);
                }
                granted.add(head);
            }
        }
        if (granted != null) {
            granted.forEach(Waiter::deliver);
        }
    }

    /** A request's hold on the budget. Released once; later calls do nothing. */
    public final class Permit {

        private long bytes;
        private boolean released;

        private Permit(long bytes) {
            this.bytes = bytes;
        }

        /** The bytes it holds. */
        public synchronized long bytes() {
            return bytes;
        }

        /** Takes {@code more} bytes if they fit now (a body whose length was not announced); never waits. */
        public boolean tryGrow(long more) {
            synchronized (AdmissionControl.this) {
                synchronized (this) {
                    if (released || inUse + more > budget) {
                        return false;
                    }
                    inUse += more;
                    bytes += more;
                    return true;
                }
            }
        }

        /** Gives back what it holds beyond {@code bytes}, keeping the request's place. */
        public void shrink(long bytes) {
            long freed;
            synchronized (this) {
                if (released || bytes >= this.bytes) {
                    return;
                }
                freed = this.bytes - Math.max(0, bytes);
                this.bytes -= freed;
            }
            giveBack(freed, false);
        }

        /** Gives the bytes (and the request's place) back. */
        public void release() {
            long freed;
            synchronized (this) {
                if (released) {
                    return;
                }
                released = true;
                freed = bytes;
            }
            giveBack(freed, true);
        }
    }

    /** A request in line. State changes under the control's lock; the sink is told outside it. */
    private final class Waiter {
        final long bytes;
        final long since;
        Permit permit;
        private MonoSink<Permit> sink;
        private boolean delivered;
        private boolean cancelled;

        Waiter(long bytes, long since) {
            this.bytes = bytes;
            this.since = since;
        }

        void attach(MonoSink<Permit> sink) {
            sink.onCancel(this::cancel);
            boolean grantedAlready;
            synchronized (AdmissionControl.this) {
                this.sink = sink;
                grantedAlready = permit != null;
            }
            if (grantedAlready) {
                deliver();
            }
        }

        void deliver() {
            MonoSink<Permit> target;
            synchronized (AdmissionControl.this) {
                if (sink == null || delivered || cancelled) {
                    return;
                }
                delivered = true;
                target = sink;
            }
            admitted.increment();
            Timer timer = waits;
            if (timer != null) {
                timer.record(System.nanoTime() - since, TimeUnit.NANOSECONDS);
            }
            target.success(permit);
        }

        /** Timed out or the client left: give the place, or the permit granted meanwhile, back. */
        void cancel() {
            Permit granted;
            synchronized (AdmissionControl.this) {
                if (delivered || cancelled) {
                    return;
                }
                cancelled = true;
                granted = permit;
                if (granted == null) {
                    waiting.remove(this);
                }
            }
            if (granted != null) {
                granted.release();
            } else {
                giveBack(0, false); // whoever queued behind this request may fit now
            }
        }
    }
}
