package dev.prefixrouter.api;

import dev.prefixrouter.error.ApiException;
import dev.prefixrouter.error.ErrorBodies;
import dev.prefixrouter.proxy.ClientExchange;
import dev.prefixrouter.security.ClientKeys;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import lombok.extern.slf4j.Slf4j;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Serves the proxied OpenAI operations on Reactor Netty's own routes, ahead of WebFlux: a {@code POST} to one of
 * an {@link ApiOperation}'s paths, and a {@code GET} or {@code DELETE} of a stored response or a {@code POST} to
 * cancel one. These requests skip the framework's exchange, header adapters, filter chain and dispatch (about half
 * the router's CPU per request, see docs/benchmarks.md); what the filters do for every request is done here for
 * them: the request id ({@link RequestIds}), the client key ({@link ClientKeys}), and errors rendered as OpenAI
 * JSON ({@link ErrorResponses}). Everything else, another method on these paths included (405), goes on to
 * WebFlux. The route is added to the API port's server only: the management port has a server of its own.
 */
@Slf4j
@Component
class ProxyServer implements WebServerFactoryCustomizer<NettyReactiveWebServerFactory> {

    private static final String STORED = "/v1/responses/";
    private static final String CANCEL = "/cancel";

    private final Map<String, ApiOperation> operations = new HashMap<>();
    private final ProxiedOperation proxied;
    private final ClientKeys keys;

    ProxyServer(ProxiedOperation proxied, ClientKeys keys) {
        this.proxied = proxied;
        this.keys = keys;
        for (ApiOperation operation : ApiOperation.values()) {
            for (String path : operation.paths()) {
                operations.put(path, operation);
            }
        }
    }

    @Override
    public void customize(NettyReactiveWebServerFactory factory) {
        factory.addRouteProviders(routes -> routes.route(this::serves, this::serve));
    }

    private boolean serves(HttpServerRequest request) {
        String path = pathOf(request.uri());
        HttpMethod method = request.method();
        if (HttpMethod.POST.equals(method)) {
            return operations.containsKey(path) || storedId(path, true) != null;
        }
        return (HttpMethod.GET.equals(method) || HttpMethod.DELETE.equals(method)) && storedId(path, false) != null;
    }

    private Mono<Void> serve(HttpServerRequest request, HttpServerResponse response) {
        String path = pathOf(request.uri());
        String requestId = RequestIds.idFor(request.requestHeaders().get(RequestIds.HEADER));
        response.header(RequestIds.HEADER, requestId);
        ClientExchange exchange = new ClientExchange(request, response, path, requestId, !keys.enabled());
        if (keys.enabled()) {
            ApiException refusal = keys.refusal(request.requestHeaders().getAll(HttpHeaderNames.AUTHORIZATION));
            if (refusal != null) {
                return failed(exchange, refusal);
            }
        }
        return Mono.defer(() -> {
            boolean post = HttpMethod.POST.equals(request.method());
            ApiOperation operation = post ? operations.get(path) : null;
            return operation != null ? proxied.handle(exchange, operation)
                    : proxied.handleStored(exchange, storedId(path, post), request.method(), path);
        }).onErrorResume(error -> failed(exchange, error));
    }

    /**
     * The OpenAI-style answer to a request that failed before its response began; a response already begun (a
     * whole answer whose engine broke off mid-body) can only be cut short, so its connection is closed.
     */
    private Mono<Void> failed(ClientExchange exchange, Throwable error) {
        if (exchange.isCommitted()) {
            try (var logContext = exchange.trace().logContext(exchange.requestId())) {
                log.warn("requestId={} {} {} failed after its response began, closing the connection: {}",
                        exchange.requestId(), exchange.method(), exchange.path(), error.toString());
            }
            exchange.abort();
            return Mono.empty();
        }
        ApiException apiError = ErrorResponses.toApiException(error, exchange.requestId(), exchange.trace(),
                exchange.method().name(), exchange.path());
        HttpServerResponse response = exchange.response();
        response.status(apiError.status().value());
        // Headers an engine's response may have set before it failed (length, encoding) describe another body.
        HttpHeaders headers = response.responseHeaders();
        headers.clear();
        headers.set(RequestIds.HEADER, exchange.requestId());
        ErrorResponses.headers(apiError, headers::set);
        byte[] body = ErrorBodies.json(apiError).getBytes(StandardCharsets.UTF_8);
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response.sendByteArray(Mono.just(body)).then();
    }

    /** The path of a request target in origin form, without its query. */
    private static String pathOf(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    /**
     * The id in {@code /v1/responses/{id}} (or {@code /v1/responses/{id}/cancel} when {@code cancel}), or
     * {@code null} when the path is not that.
     */
    private static String storedId(String path, boolean cancel) {
        if (!path.startsWith(STORED)) {
            return null;
        }
        int end = cancel ? path.length() - CANCEL.length() : path.length();
        if (end <= STORED.length() || (cancel && !path.endsWith(CANCEL))) {
            return null;
        }
        String id = path.substring(STORED.length(), end);
        return id.indexOf('/') < 0 ? id : null;
    }
}
