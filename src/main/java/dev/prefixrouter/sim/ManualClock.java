package dev.prefixrouter.sim;

/** An engine clock that moves only when told to: the deterministic time of {@link ManualStepper}. */
final class ManualClock implements EngineClock {

    private volatile double now;

    @Override
    public double now() {
        return now;
    }

    void advance(double seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("time cannot go back, was asked to advance " + seconds);
        }
        now += seconds; // only the stepping thread writes
    }
}
