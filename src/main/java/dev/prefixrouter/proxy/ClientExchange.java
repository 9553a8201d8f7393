package dev.prefixrouter.proxy;

import dev.prefixrouter.observability.RequestSpan;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.net.InetSocketAddress;
import reactor.netty.Connection;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * One client request on a proxied route, as Reactor Netty's server hands it over: no framework exchange, header
 * adapter or parsed URI in between. Carries what the router decided about it before routing: its id, and whether
 * the client's {@code Authorization} was a router key (then it is never forwarded), and its trace once started.
 *
 * <p>Not thread-safe by design: one request's signals are serialised.
 */
public final class ClientExchange {

    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final String path;
    private final String requestId;
    private final boolean authorizationForwarded;
    private RequestSpan trace = RequestSpan.NONE;

    /**
     * @param path                   the request's path, without its query
     * @param authorizationForwarded whether the client's {@code Authorization} may go to the engine (client keys
     *                               off); with them on it was the router's key and stays here
     */
    public ClientExchange(HttpServerRequest request, HttpServerResponse response, String path, String requestId,
            boolean authorizationForwarded) {
        this.request = request;
        this.response = response;
        this.path = path;
        this.requestId = requestId;
        this.authorizationForwarded = authorizationForwarded;
    }

    public HttpServerRequest request() {
        return request;
    }

    public HttpServerResponse response() {
        return response;
    }

    public HttpMethod method() {
        return request.method();
    }

    /** The path, without the query. */
    public String path() {
        return path;
    }

    public HttpHeaders headers() {
        return request.requestHeaders();
    }

    /** The body length the client announced ({@code Content-Length}), or -1 when it announced none. */
    public long declaredLength() {
        return contentLength(request.requestHeaders());
    }

    public String requestId() {
        return requestId;
    }

    /** The request's trace, once one was started for it; {@link RequestSpan#NONE} before. */
    public RequestSpan trace() {
        return trace;
    }

    public void trace(RequestSpan started) {
        this.trace = started;
    }

    boolean authorizationForwarded() {
        return authorizationForwarded;
    }

    InetSocketAddress remoteAddress() {
        return request.remoteAddress();
    }

    /** {@code http} or {@code https}, as the client reached the router. */
    String scheme() {
        return request.scheme();
    }

    /** The {@code Host} the client named, else the address it reached. */
    String host() {
        String host = request.requestHeaders().get(HttpHeaderNames.HOST);
        if (host != null) {
            return host;
        }
        InetSocketAddress local = request.hostAddress();
        return local == null ? null : local.getHostString() + ":" + local.getPort();
    }

    /** Whether the response's status and headers are on their way to the client: nothing else can be sent. */
    public boolean isCommitted() {
        return response.hasSentHeaders();
    }

    /** The event loop of the client's connection, or {@code null} when the request is not on one. */
    EventLoop eventLoop() {
        return request instanceof Connection connection ? connection.channel().eventLoop() : null;
    }

    /**
     * The {@code Content-Length} in {@code headers}, or -1 when there is none (Netty's decoders refuse malformed
     * ones before a message gets this far).
     */
    static long contentLength(HttpHeaders headers) {
        String value = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException malformed) {
            return -1;
        }
    }

    /** Closes the client's connection: after a failure once the response has begun, nothing else can be said. */
    public void abort() {
        request.withConnection(Connection::dispose);
    }
}
