package dev.prefixrouter.proxy;

import dev.prefixrouter.error.ApiException;
import dev.prefixrouter.error.ErrorBodies;
import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.lifecycle.DrainSignal;
import dev.prefixrouter.observability.RouterMetrics;
import dev.prefixrouter.routing.RoutingDecision;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import lombok.extern.slf4j.Slf4j;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.channel.AbortedException;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Relays one engine's response to the client as it arrives: status and headers first, then the body buffer by buffer
 * (flushed whenever no further buffer is waiting, so server-sent events leave at once) with the engine's pace and
 * the client's backpressure; a whole answer of announced length up to {@link #WHOLE_BODY_LIMIT} is gathered first
 * and sent with its headers in one write. Each buffer is progress of the engine; the first one also releases the
 * request body (it can no longer go elsewhere). A client that goes away cancels the relay, which closes the engine
 * connection. An event stream that breaks after it began, or that is still running when the drain is about to time
 * out, ends with an SSE error event and a clean close. Its outcome (the status the client saw, whether the stream
 * broke) is read by the walk that started it.
 *
 * <p>Not thread-safe by design: Reactor serialises the signals of one request.
 */
@Slf4j
final class ResponseRelay {

    /** Whole answers up to this length are gathered and sent in one write; longer ones are relayed as they come. */
    static final int WHOLE_BODY_LIMIT = 64 * 1024;

    private final ClientExchange exchange;
    private final ProxyRequest request;
    private final Engine engine;
    private final Attempt attempt;
    private final UpstreamResponse upstream;
    private final DrainSignal drain;
    private final RoutingDecision decision;
    private final ProxyProperties properties;
    private final RouterMetrics metrics;

    private int status;
    private boolean firstByteSeen;
    private boolean streamBroken;
    private volatile boolean cutByDrain;
    private final ResponseIdSniffer sniffer;

    ResponseRelay(ClientExchange exchange, ProxyRequest request, Attempt attempt, UpstreamResponse upstream,
            RoutingDecision decision, ProxyProperties properties, RouterMetrics metrics, DrainSignal drain) {
        this.exchange = exchange;
        this.request = request;
        this.attempt = attempt;
        this.engine = attempt.engine();
        this.drain = drain;
        this.sniffer = request.responseIds() == null || upstream.status() != 200 ? null
                : new ResponseIdSniffer(id -> request.responseIds().accept(id, attempt.engine().id()));
        this.upstream = upstream;
        this.decision = decision;
        this.properties = properties;
        this.metrics = metrics;
    }

    /** The status relayed to the client, or the error status a broken stream ended with. */
    int status() {
        return status;
    }

    /** Whether an event stream broke after it began (and ended with an SSE error event). */
    boolean streamBroken() {
        return streamBroken;
    }

    Mono<Void> run() {
        HttpServerResponse response = exchange.response();
        status = upstream.status();
        response.status(HttpResponseStatus.valueOf(status));
        copyResponseHeaders(response);
        boolean eventStream = isEventStream(upstream.response().responseHeaders().get(HttpHeaderNames.CONTENT_TYPE));
        // The first body byte: a stream's after queueing and prefill; a whole answer's comes with its headers.
        long deadline = request.startNanos() + (request.stream() ? properties.responseTimeout()
                : properties.nonStreamingTimeout()).toNanos();

        RelayWatchdog watchdog = new RelayWatchdog(upstream.connection().channel().eventLoop(), deadline,
                properties.idleTimeout().toNanos());
        Flux<ByteBuf> body = upstream.connection().inbound().receive()
                .retain()
                .takeUntilOther(watchdog.expired())
                .doOnSubscribe(subscription -> watchdog.start())
                .doFinally(signal -> watchdog.stop())
                .doOnNext(buffer -> {
                    watchdog.bufferArrived();
                    engine.progressed();
                    if (sniffer != null) {
                        sniffer.accept(buffer);
                    }
                    if (!firstByteSeen) {
                        firstByteSeen = true;
                        request.body().release(); // a byte reaches the client: nothing may resend the request
                        attempt.settled();
                        metrics.firstByte(request.model(), engine.id(), System.nanoTime() - request.startNanos());
                        decision.responding(engine);
                    }
                })
                .doOnCancel(upstream::dispose)
                // A timeout leaves the engine's body unread (takeUntilOther does not cancel it): close the connection.
                .doOnError(error -> upstream.abort());

        if (!eventStream) {
            long length = ClientExchange.contentLength(upstream.response().responseHeaders());
            return length >= 0 && length <= WHOLE_BODY_LIMIT ? sentWhole(response, body) : sent(response, body);
        }
        Flux<ByteBuf> events = body.onErrorResume(error -> firstByteSeen, error -> {
            ApiException apiError = UpstreamFailures.toApiException(error, engine.id());
            try (var logContext = request.trace().logContext(request.requestId())) {
                log.warn("requestId={} stream from engine {} broke after it began: {}", request.requestId(),
                        engine.id(), UpstreamFailures.describe(error));
            }
            status = apiError.status().value();
            streamBroken = true;
            return Mono.just(event(apiError));
        }).takeUntilOther(drain.cutoff().doOnTerminate(() -> cutByDrain = true))
                .concatWith(Mono.defer(() -> cutByDrain ? Mono.just(event(ApiException.shuttingDown()))
                        : Mono.empty()));
        return sent(response, events);
    }

    /**
     * Sends the body once its first signal came: Reactor Netty sends the status and headers as soon as a send is
     * subscribed, and a failure before the first byte (the engine died after its headers) must leave the response
     * unbegun, so that the request can go to another engine or end in an error answer. Reactor Netty flushes as
     * soon as no further buffer is waiting, so every event still leaves at once, but events that arrived in one
     * read from the engine share one write.
     */
    private static Mono<Void> sent(HttpServerResponse response, Flux<ByteBuf> body) {
        return body.switchOnFirst((first, whole) -> first.isOnError() ? whole.then() : response.send(whole).then())
                .doOnDiscard(ByteBuf.class, ReferenceCountUtil::safeRelease)
                .then();
    }

    /**
     * Sends a whole answer once all of it has arrived, with its status and headers in one write: one pass through
     * the server's pipeline and one flush, where relaying it buffer by buffer costs a write for the headers, one
     * per buffer, one for the end and a flush task. Only for answers of announced length up to
     * {@link #WHOLE_BODY_LIMIT} (what a request holds of its answer stays bounded); an engine that breaks off
     * midway leaves the response unbegun, so the client gets an error answer rather than a truncated body.
     */
    private static Mono<Void> sentWhole(HttpServerResponse response, Flux<ByteBuf> body) {
        return body.collect(Unpooled::compositeBuffer, (whole, buffer) -> whole.addComponent(true, buffer))
                .flatMap(whole -> response.send(Mono.just(whole)).then()
                        // A client gone by now: Reactor Netty refuses the send without taking the answer.
                        .doOnError(AbortedException.class, refused -> {
                            if (whole.refCnt() > 0) {
                                ReferenceCountUtil.safeRelease(whole);
                            }
                        }))
                .doOnDiscard(ByteBuf.class, ReferenceCountUtil::safeRelease);
    }

    private static ByteBuf event(ApiException error) {
        return Unpooled.wrappedBuffer(ErrorBodies.sseEvent(error).getBytes(StandardCharsets.UTF_8));
    }

    private void copyResponseHeaders(HttpServerResponse response) {
        // A retried attempt may have set headers already: the engine that answers owns them all.
        HttpHeaders target = response.responseHeaders();
        String requestId = target.get("X-Request-Id");
        target.clear();
        HttpHeaders engineHeaders = upstream.response().responseHeaders();
        Set<String> nominated = HopByHopHeaders.nominatedBy(engineHeaders.getAll(HttpHeaderNames.CONNECTION));
        for (Map.Entry<String, String> header : engineHeaders) {
            if (!HopByHopHeaders.skipOnResponse(header.getKey().toLowerCase(Locale.ROOT), nominated)) {
                target.add(header.getKey(), header.getValue());
            }
        }
        if (requestId != null) {
            target.set("X-Request-Id", requestId);
        }
        // clear() also dropped the server's own "Transfer-Encoding: chunked", and the engine's is hop-by-hop: a body
        // of unknown length (a stream) needs it back, else the server ends it by closing the client's connection.
        if (!target.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            response.chunkedTransfer(true);
        }
    }

    private static boolean isEventStream(String contentType) {
        return contentType != null && contentType.regionMatches(true, 0, "text/event-stream", 0, 17);
    }
}
