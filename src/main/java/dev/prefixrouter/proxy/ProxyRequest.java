package dev.prefixrouter.proxy;

/**
 * A request ready to forward.
 *
 * @param path        upstream path, e.g. {@code /v1/chat/completions}
 * @param body        the client's body, byte for byte, held until released
 * @param model       model tag for metrics (bounded: a served model or {@code unknown})
 * @param stream      whether the client asked for server-sent events
 * @param requestId   the request's id, forwarded as {@code X-Request-Id}
 * @param startNanos  {@link System#nanoTime()} when the request arrived
 */
public record ProxyRequest(String path, RequestBody body, String model, boolean stream, String requestId,
        long startNanos) {
}
