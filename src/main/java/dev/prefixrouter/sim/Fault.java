package dev.prefixrouter.sim;

/** Failures a simulated engine can be told to show on generation requests, to test how the router copes. */
public enum Fault {
    /** Behave normally. */
    NONE,
    /** Answer 503 at once, as an overloaded engine does. */
    UNAVAILABLE,
    /** Accept the request and never answer. */
    HANG,
    /** Send the response headers and the first token, then drop the connection (the engine died). */
    DIE_MID_STREAM
}
