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
    DIE_MID_STREAM,
    /** Read the whole request, then drop the connection without a response (the engine crashed on it). */
    RESET,
    /** Send a stream's response headers, then drop the connection before any token. */
    DIE_AFTER_HEADERS,
    /** Send a stream's response headers, then nothing more (a wedged engine). */
    STALL_AFTER_HEADERS,
    /** Answer 429 at once, as a rate-limited engine or gateway does. */
    TOO_MANY_REQUESTS,
    /** Answer 500 with an error caused by the request's content (the engine is fine). */
    BAD_INPUT_500
}
