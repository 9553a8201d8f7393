package dev.prefixrouter.sim;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;

/**
 * Drives an {@link EngineCore} in scaled real time on one thread of its own, the engine's "GPU".
 *
 * <p>A tick completes the step in flight, drains the inbox, schedules the next step, and arranges to be run
 * again when that step's GPU time (divided by the time scale) has passed; nothing is ever slept or spun. When
 * there is no work the loop stops, and the next {@link #wake()} restarts it. {@code active} is true while a tick
 * is scheduled or running; a submitter that finds it false schedules one, and a loop that goes idle re-checks
 * the inbox after clearing it, so no command is left unseen.
 *
 * <p>Timestamps come from the scaled clock when things happen, so if the thread wakes late (a noisy host), the
 * lateness shows in that token's latency, multiplied by the time scale, as a client would measure it. Steps
 * that follow each other are deadline-based: the next one starts when the last was due to end, so a late
 * wake-up is made up in the next step (by at most one step's length, so a long pause is not followed by a
 * burst), and mean inter-token latency and throughput stay what the cost model says.
 *
 * <p>Tokens are emitted to subscribers on this thread (or, for tokens buffered before the subscriber asked for
 * them, on the thread that asks); the sinks buffer, so a slow subscriber never holds the loop up, but a
 * subscriber must not block in {@code onNext} (the thread is a Reactor non-blocking thread).
 */
final class StepLoop implements EngineDriver {

    private static final Logger log = LoggerFactory.getLogger(StepLoop.class);

    private final EngineCore core;
    private final EngineClock clock;
    private final double timeScale;
    private final Scheduler thread;
    private final AtomicBoolean active = new AtomicBoolean();
    private volatile boolean closed;
    /** Set on the loop's thread once the core has been shut down; later ticks do nothing. */
    private boolean terminated;
    private StepPlan inFlight;
    /** Engine time at which the step in flight is due to end. */
    private double dueAt;
    /** The thread ticks run on, once one has run; for tests. */
    private volatile Thread engineThread;

    StepLoop(EngineCore core, EngineClock clock, double timeScale, Scheduler thread) {
        this.core = core;
        this.clock = clock;
        this.timeScale = timeScale;
        this.thread = thread;
    }

    @Override
    public void wake() {
        if (closed) {
            core.failUnreceived(closedError());
            return;
        }
        if (active.compareAndSet(false, true)) {
            try {
                thread.schedule(this::tick);
            } catch (RejectedExecutionException e) {
                // Closed between the check and here: the shutdown has run or will fail whatever it finds.
                core.failUnreceived(closedError());
            }
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            thread.schedule(() -> terminate(closedError()));
        } catch (RejectedExecutionException e) {
            log.debug("Engine step thread already stopped", e);
        }
    }

    private void tick() {
        engineThread = Thread.currentThread();
        if (terminated) {
            return;
        }
        try {
            runTick();
        } catch (RuntimeException | Error e) {
            log.error("Engine step failed; failing every request and stopping the engine", e);
            closed = true;
            terminate(e);
        }
    }

    private void runTick() {
        double now = clock.now();
        boolean backToBack = inFlight != null;
        if (backToBack) {
            core.complete(inFlight, now);
            inFlight = null;
        }
        core.drainCommands();
        StepPlan plan = core.schedule(now);
        if (!plan.isEmpty()) {
            double seconds = core.stepSeconds(plan);
            double start = backToBack ? Math.max(dueAt, now - seconds) : now;
            dueAt = start + seconds;
            inFlight = plan;
            long delayNanos = Math.max(0, Math.round((dueAt - clock.now()) / timeScale * 1e9));
            thread.schedule(this::tick, delayNanos, TimeUnit.NANOSECONDS);
        } else if (core.hasWork()) {
            thread.schedule(this::tick); // every running request was preempted: admit again at once
        } else {
            active.set(false);
            if (core.hasCommands() && active.compareAndSet(false, true)) {
                thread.schedule(this::tick);
            }
        }
    }

    Thread engineThread() {
        return engineThread;
    }

    private void terminate(Throwable cause) {
        if (terminated) {
            return;
        }
        terminated = true;
        inFlight = null;
        core.shutdown(cause);
        thread.dispose();
    }

    private static IllegalStateException closedError() {
        return new IllegalStateException("engine model closed");
    }
}
