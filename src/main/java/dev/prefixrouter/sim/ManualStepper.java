package dev.prefixrouter.sim;

/**
 * Drives the engine one step at a time on the caller's thread with a {@link ManualClock}: each step advances
 * engine time by exactly its modelled GPU time, so tests can assert on ordering, cache state and latencies
 * without waiting or flaking. Tokens are emitted on the caller's thread during {@link #step()}.
 */
final class ManualStepper implements EngineDriver {

    private final EngineCore core;
    private final ManualClock clock;
    private boolean closed;

    ManualStepper(EngineCore core, ManualClock clock) {
        this.core = core;
        this.clock = clock;
    }

    @Override
    public void wake() {
        // Nothing to do: the next step() drains the inbox.
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            core.shutdown(new IllegalStateException("engine model closed"));
        }
    }

    /** Runs one step: drain the inbox, schedule, pass the step's GPU time, complete. False if there was no work. */
    boolean step() {
        core.drainCommands();
        StepPlan plan = core.schedule(clock.now());
        if (plan.isEmpty()) {
            return core.hasWork(); // everything was preempted: the next step admits again
        }
        clock.advance(core.stepSeconds(plan));
        core.complete(plan, clock.now());
        return true;
    }

    /** Steps until the engine is idle; returns the number of steps. Fails after {@code maxSteps}. */
    int runUntilIdle(int maxSteps) {
        int steps = 0;
        while (step()) {
            if (++steps > maxSteps) {
                throw new IllegalStateException("engine still busy after " + maxSteps + " steps");
            }
        }
        return steps;
    }

    double now() {
        return clock.now();
    }
}
