package dev.prefixrouter.proxy;

/**
 * A request's body, held for forwarding and retries until {@link #release()}: then the bytes are let go (and their
 * share of the request-memory budget given back, through the release action) even though the response may go
 * on streaming for minutes. The proxy releases it as soon as an engine's answer is being relayed, after which
 * the request can no longer be sent elsewhere; whoever handles the request calls {@link #end()} when it is over,
 * which releases what is left (the routing key's share, held as long as the request).
 */
public final class RequestBody {

    private final int length;
    private final Runnable onRelease;
    private final Runnable onEnd;
    private volatile byte[] bytes;
    private boolean ended;

    /**
     * @param bytes     the body in {@code bytes[0, length)}; the array may be longer
     * @param onRelease run once, on the first {@link #release()}
     * @param onEnd     run once, on {@link #end()}, after the release
     */
    public RequestBody(byte[] bytes, int length, Runnable onRelease, Runnable onEnd) {
        if (length < 0 || length > bytes.length) {
            throw new IllegalArgumentException("length " + length + " outside an array of " + bytes.length);
        }
        this.bytes = bytes;
        this.length = length;
        this.onRelease = onRelease;
        this.onEnd = onEnd;
    }

    /** A body with nothing to give back (tests, or a body the budget does not cover). */
    public static RequestBody of(byte[] bytes) {
        return new RequestBody(bytes, bytes.length, () -> { }, () -> { });
    }

    /** The body's length: the first {@code length()} bytes of {@link #bytes()}. */
    public int length() {
        return length;
    }

    /** The array holding the body (maybe longer); fails once released: a released body must not be sent again. */
    public byte[] bytes() {
        byte[] held = bytes;
        if (held == null) {
            throw new IllegalStateException("the request body was released");
        }
        return held;
    }

    public boolean isReleased() {
        return bytes == null;
    }

    /** Lets the bytes go and runs the release action, once. */
    public void release() {
        boolean first;
        synchronized (this) {
            first = bytes != null;
            bytes = null;
        }
        if (first) {
            onRelease.run();
        }
    }

    /** The request is over: releases the body if that has not happened, then runs the end action, once. */
    public void end() {
        release();
        boolean first;
        synchronized (this) {
            first = !ended;
            ended = true;
        }
        if (first) {
            onEnd.run();
        }
    }
}
