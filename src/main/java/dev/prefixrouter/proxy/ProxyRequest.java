package dev.prefixrouter.proxy;

import dev.prefixrouter.observability.RequestSpan;
import io.netty.handler.codec.http.HttpMethod;
import java.util.function.BiConsumer;

/**
 * A request ready to forward.
 *
 * @param method      the HTTP method, usually POST
 * @param path        upstream path, e.g. {@code /v1/chat/completions}
 * @param body        the client's body, byte for byte, held until released (empty for a GET or DELETE)
 * @param model       model tag for metrics (bounded: a served model or {@code unknown})
 * @param stream      whether the client asked for server-sent events
 * @param requestId   the request's id, forwarded as {@code X-Request-Id}
 * @param startNanos  {@link System#nanoTime()} when the request arrived
 * @param responseIds told (response id, engine id) of a Responses-API response an engine answers with, or
 *                    {@code null} when the answer carries none worth learning
 * @param trace       the request's trace, parent of each attempt's span
 * @param variablePath whether the path names something (a stored response), so differs from request to request;
 *                    requests to a fixed path are prepared once per engine
 */
public record ProxyRequest(HttpMethod method, String path, RequestBody body, String model, boolean stream,
        String requestId, long startNanos, BiConsumer<String, String> responseIds, RequestSpan trace,
        boolean variablePath) {

    /** An untraced POST whose answer carries no response id to learn. */
    public ProxyRequest(String path, RequestBody body, String model, boolean stream, String requestId,
            long startNanos) {
        this(HttpMethod.POST, path, body, model, stream, requestId, startNanos, null, RequestSpan.NONE, false);
    }
}
