package dev.prefixrouter.kvevents;

/**
 * A KV-event payload that is not a batch in vLLM's wire format: truncated, of the wrong msgpack types, or missing a
 * field every version sends. Checked, so that the subscriber decides what a bad batch costs (it counts and skips it)
 * instead of losing its thread to it. The message says what was expected where.
 */
public final class MalformedBatchException extends Exception {

    public MalformedBatchException(String message) {
        super(message);
    }

    public MalformedBatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
