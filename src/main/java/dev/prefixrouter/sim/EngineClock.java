package dev.prefixrouter.sim;

/**
 * Engine time in seconds: the time an unscaled engine would experience. Every latency the engine reports and
 * every timestamp it keeps is engine time. Must be safe to read from any thread.
 */
interface EngineClock {

    double now();

    /** Real elapsed time since creation multiplied by {@code timeScale}. */
    static EngineClock scaled(double timeScale) {
        long origin = System.nanoTime();
        return () -> (System.nanoTime() - origin) / 1e9 * timeScale;
    }
}
