package dev.prefixrouter.config;

/**
 * How many event-loop threads serve clients and engines: one per available core, as nginx's
 * {@code worker_processes auto}, unless the operator chose with {@code -Dreactor.netty.ioWorkerCount=N}. Reactor
 * Netty's own default is at least four, which on a pod limited to one or two cores puts more runnable loops than
 * cores on the CPU: they take turns, each wake-up serving fewer connections. Measured on two cores
 * (docs/benchmarks.md, issue 16): two loops instead of four cut the router's CPU per request by a quarter.
 *
 * <p>Must run before anything touches Reactor Netty's loop resources, which read the property once.
 */
public final class EventLoopThreads {

    /** Reactor Netty's system property for the number of event-loop threads. */
    public static final String PROPERTY = "reactor.netty.ioWorkerCount";

    private EventLoopThreads() {
    }

    /** Sets {@link #PROPERTY} to the available cores unless it is set; returns the value in force. */
    public static int defaultToOnePerCore() {
        String chosen = System.getProperty(PROPERTY);
        if (chosen != null && !chosen.isBlank()) {
            return Integer.parseInt(chosen.trim());
        }
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        System.setProperty(PROPERTY, Integer.toString(cores));
        return cores;
    }
}
