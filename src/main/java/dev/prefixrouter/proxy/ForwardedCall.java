package dev.prefixrouter.proxy;

import dev.prefixrouter.api.ApiException;
import dev.prefixrouter.api.ErrorBodies;
import dev.prefixrouter.backend.Endpoint;
import dev.prefixrouter.backend.OutlierDetector;
import dev.prefixrouter.observability.RouterMetrics;
import dev.prefixrouter.routing.RoutingDecision;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import lombok.extern.slf4j.Slf4j;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One request's way through the proxy. Attempts go down the ranked list while nothing has reached the client and
 * the failure is worth another engine; the response is then relayed as it arrives: status and headers first, the
 * body buffer by buffer (flushed whenever no further buffer is waiting, so server-sent events leave at once) with
 * the engine's pace and the client's backpressure. A client that goes away cancels the relay, which closes the
 * engine connection. A stream that breaks after it began ends with an SSE error event and a clean close.
 *
 * <p>Not thread-safe by design: Reactor serialises the signals of one request.
 */
@Slf4j
final class ForwardedCall {

    private final ServerWebExchange exchange;
    private final ProxyRequest request;
    private final RoutingDecision decision;
    private final UpstreamClient client;
    private final ProxyProperties properties;
    private final RouterMetrics metrics;
    private final OutlierDetector outliers;
    private final List<Endpoint> ranked;
    private final int maxAttempts;

    private Endpoint current;
    private int status;
    private boolean firstByteSeen;
    private boolean streamBroken;

    ForwardedCall(ServerWebExchange exchange, ProxyRequest request, RoutingDecision decision, ProxyServices services) {
        this.exchange = exchange;
        this.request = request;
        this.decision = decision;
        this.client = services.client();
        this.properties = services.properties();
        this.metrics = services.metrics();
        this.outliers = services.outliers();
        this.ranked = decision.ranked();
        this.maxAttempts = Math.min(properties.maxAttempts(), ranked.size());
    }

    Mono<Void> run() {
        return attempt(0)
                .doOnError(error -> status = error instanceof ApiException api ? api.status().value() : 500)
                .doOnCancel(() -> status = RouterMetrics.CLIENT_CLOSED)
                .doFinally(signal -> metrics.requestFinished(request.model(),
                        current == null ? RouterMetrics.NO_BACKEND : current.id(), status,
                        System.nanoTime() - request.startNanos()));
    }

    private Mono<Void> attempt(int index) {
        Endpoint endpoint = ranked.get(index);
        boolean lastChance = index + 1 >= maxAttempts;
        return Mono.defer(() -> {
                    current = endpoint;
                    decision.attempting(endpoint);
                    endpoint.requestStarted();
                    return client.send(endpoint, request, exchange.getRequest())
                            .timeout(properties.responseTimeout(), timedOut())
                            .flatMap(upstream -> {
                                if (upstream.status() == 503 && !lastChance) {
                                    upstream.dispose();
                                    return Mono.error(new UpstreamFailures.Unavailable(endpoint.id()));
                                }
                                return relay(endpoint, upstream);
                            })
                            .doOnSuccess(done -> {
                                if (streamBroken || status >= 500) {
                                    outliers.failed(endpoint, streamBroken ? "stream broke" : "HTTP " + status);
                                } else {
                                    outliers.succeeded(endpoint);
                                }
                            })
                            .doOnError(error -> outliers.failed(endpoint, UpstreamFailures.describe(error)))
                            .doFinally(signal -> {
                                endpoint.requestFinished();
                                decision.finished(endpoint);
                            });
                })
                .onErrorResume(error -> !lastChance && UpstreamFailures.retryable(error)
                        && !exchange.getResponse().isCommitted(), error -> {
                    log.info("requestId={} backend {} failed before responding ({}); trying {}", request.requestId(),
                            endpoint.id(), UpstreamFailures.describe(error), ranked.get(index + 1).id());
                    decision.attemptFailed(endpoint);
                    return attempt(index + 1);
                })
                .onErrorMap(error -> !(error instanceof ApiException) && !exchange.getResponse().isCommitted(),
                        error -> {
                            log.warn("requestId={} backend {} failed: {}", request.requestId(), endpoint.id(),
                                    UpstreamFailures.describe(error));
                            return UpstreamFailures.toApiException(error, endpoint.id());
                        });
    }

    private Mono<Void> relay(Endpoint endpoint, UpstreamResponse upstream) {
        ServerHttpResponse response = exchange.getResponse();
        status = upstream.status();
        response.setStatusCode(HttpStatusCode.valueOf(status));
        copyResponseHeaders(upstream, response.getHeaders());
        boolean eventStream = isEventStream(upstream.response().responseHeaders().get("content-type"));
        long deadline = request.startNanos() + properties.responseTimeout().toNanos();
        NettyDataBufferFactory buffers = (NettyDataBufferFactory) response.bufferFactory();

        Flux<DataBuffer> body = upstream.connection().inbound().receive()
                .retain()
                .<DataBuffer>map(buffers::wrap)
                .timeout(Mono.defer(() -> Mono.delay(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))),
                        item -> Mono.delay(properties.idleTimeout()), timedOut())
                .doOnNext(buffer -> {
                    if (!firstByteSeen) {
                        firstByteSeen = true;
                        metrics.firstByte(request.model(), endpoint.id(), System.nanoTime() - request.startNanos());
                        decision.responding(endpoint);
                    }
                })
                .doOnCancel(upstream::dispose)
                .doOnError(error -> upstream.dispose());

        if (!eventStream) {
            return response.writeWith(body.doOnDiscard(Object.class, ForwardedCall::release));
        }
        Flux<DataBuffer> events = body.onErrorResume(error -> firstByteSeen, error -> {
            ApiException apiError = UpstreamFailures.toApiException(error, endpoint.id());
            log.warn("requestId={} stream from backend {} broke after it began: {}", request.requestId(),
                    endpoint.id(), UpstreamFailures.describe(error));
            status = apiError.status().value();
            streamBroken = true;
            return Mono.just(buffers.wrap(ErrorBodies.sseEvent(apiError).getBytes(StandardCharsets.UTF_8)));
        });
        // writeWith, not writeAndFlushWith: Reactor Netty flushes as soon as no further chunk is waiting, so every
        // event still leaves at once, but events that arrived in one read from the engine share one write.
        return response.writeWith(events.doOnDiscard(Object.class, ForwardedCall::release));
    }

    private void copyResponseHeaders(UpstreamResponse upstream, HttpHeaders target) {
        // A retried attempt may have set headers already: the engine that answers owns them all.
        String requestId = target.getFirst("X-Request-Id");
        target.clear();
        for (Map.Entry<String, String> header : upstream.response().responseHeaders()) {
            if (!HopByHopHeaders.skipOnResponse(header.getKey())) {
                target.add(header.getKey(), header.getValue());
            }
        }
        if (requestId != null) {
            target.set("X-Request-Id", requestId);
        }
        // clear() also dropped the server's own "Transfer-Encoding: chunked", and the engine's is hop-by-hop: a body
        // of unknown length (a stream) needs it back, else the server ends it by closing the client's connection.
        if (!target.containsHeader(HttpHeaders.CONTENT_LENGTH)) {
            target.set(HttpHeaders.TRANSFER_ENCODING, "chunked");
        }
    }

    /**
     * What a timeout operator switches to: the same {@link TimeoutException} it would raise by itself. Passing it
     * keeps Reactor from naming the timeout at assembly, which walks the whole operator chain on every request.
     */
    private static <T> Mono<T> timedOut() {
        return Mono.error(() -> new TimeoutException("no signal from the backend within the timeout"));
    }

    private static boolean isEventStream(String contentType) {
        return contentType != null && contentType.regionMatches(true, 0, "text/event-stream", 0, 17);
    }

    private static void release(Object discarded) {
        if (discarded instanceof DataBuffer buffer) {
            DataBufferUtils.release(buffer);
        } else if (discarded instanceof ByteBuf buffer) {
            ReferenceCountUtil.safeRelease(buffer);
        }
    }
}
