package dev.prefixrouter.proxy;

import dev.prefixrouter.admission.AdmissionControl;
import dev.prefixrouter.error.ApiException;
import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.ejection.OutlierDetector;
import dev.prefixrouter.lifecycle.DrainSignal;
import dev.prefixrouter.observability.AttemptSpan;
import dev.prefixrouter.observability.RouterMetrics;
import dev.prefixrouter.routing.RoutingDecision;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import lombok.extern.slf4j.Slf4j;
import reactor.core.publisher.Mono;

/**
 * One request's walk over its ranked engines, by explicit retry rules (at most {@code max-attempts} engines):
 * <ul>
 * <li>Freely retried on the next engine, since nothing ran: a connection that fails before the engine has the
 *     whole request, and an engine answering 503 or 429 before any body.</li>
 * <li>Once the engine has the whole request it may have started work: a failure before anything reached the
 *     client (the connection reset or closed, no headers within {@code first-byte-timeout} for a stream, the
 *     engine stalled) is retried at most once per client request ({@code retry-after-engine-accepted}), so a
 *     prompt that crashes every engine it touches costs two of them, not three.</li>
 * <li>Nothing is retried once a byte reached the client; nor a request whose prefill or whole answer took too
 *     long (the engine may still be working).</li>
 * </ul>
 * An engine whose connection pool is saturated is passed over without counting as an attempt or a fault; when
 * every one is, the client gets the router's overload answer. Each retry counts in {@code router_retries_total}.
 *
 * <p>The body is released as soon as no rule could send it again: when the first response byte goes to the
 * client, when an answer is relayed with no retry left, or when the last possible attempt has it whole. Each
 * attempt's outcome goes to the routing decision (attempting, failed, finished), to outlier ejection (engine
 * faults only: connection failures, timeouts, stalls, broken streams, {@code failure-statuses}) and, once for the
 * request, to the metrics.
 *
 * <p>Not thread-safe by design: Reactor serialises the signals of one request.
 */
@Slf4j
final class ForwardedCall {

    private final ClientExchange exchange;
    private final ProxyRequest request;
    private final RoutingDecision decision;
    private final UpstreamClient client;
    private final ProxyProperties properties;
    private final RouterMetrics metrics;
    private final OutlierDetector outliers;
    private final AdmissionControl admission;
    private final DrainSignal drain;
    private final List<Engine> ranked;
    private final int maxAttempts;
    private final EventLoop loop;

    private Engine current;
    private ResponseRelay relay;
    private int status;
    private boolean acceptedRetryUsed;

    ForwardedCall(ClientExchange exchange, ProxyRequest request, RoutingDecision decision, ProxyServices services) {
        this.exchange = exchange;
        this.request = request;
        this.decision = decision;
        this.client = services.client();
        this.properties = services.properties();
        this.metrics = services.metrics();
        this.outliers = services.outliers();
        this.admission = services.admission();
        this.drain = services.drain();
        this.ranked = decision.ranked();
        this.maxAttempts = properties.maxAttempts();
        this.loop = exchange.eventLoop();
    }

    Mono<Void> run() {
        return attempt(0, 1)
                .doOnError(error -> status = error instanceof ApiException api ? api.status().value() : 500)
                .doOnCancel(() -> status = RouterMetrics.CLIENT_CLOSED)
                .doFinally(signal -> metrics.requestFinished(request.model(),
                        current == null ? RouterMetrics.NO_BACKEND : current.id(),
                        relay != null && status == 0 ? relay.status() : status,
                        System.nanoTime() - request.startNanos()));
    }

    /** Sends to {@code ranked[index]}, the {@code number}th engine tried (saturated ones not counted). */
    private Mono<Void> attempt(int index, int number) {
        Engine engine = ranked.get(index);
        boolean anotherEngine = index + 1 < ranked.size() && number < maxAttempts;
        boolean retryIfAccepted = anotherEngine && !acceptedRetryUsed
                && properties.retryAfterEngineAccepted() == ProxyProperties.AcceptedRetry.ONCE;
        Attempt attempt = new Attempt(engine);
        return Mono.defer(() -> {
                    current = engine;
                    decision.attempting(engine);
                    engine.requestStarted();
                    AttemptSpan span = request.trace().attempt(engine.id(), engine.url(), number);
                    ConnectionPermits permits = client.permits(engine);
                    Mono<UpstreamResponse> answer = permits.acquire(loop)
                            .doOnSuccess(held -> attempt.holding(permits))
                            .then(client.send(engine, request, exchange, span, () -> {
                                attempt.written();
                                if (!anotherEngine) {
                                    request.body().release(); // the last engine has it: nothing can resend it
                                }
                            }))
                            .timeout(LoopTimer.after(loop, answerTimeout()), timedOut(engine));
                    return Mono.firstWithSignal(answer, attempt.<UpstreamResponse>aborted())
                            .flatMap(upstream -> {
                                engine.progressed();
                                attempt.answered(upstream);
                                int code = upstream.status();
                                span.answered(code);
                                if ((code == 503 || code == 429) && anotherEngine && !request.body().isReleased()) {
                                    upstream.dispose();
                                    return Mono.error(new UpstreamFailures.Unavailable(engine.id(), code));
                                }
                                if (!retryIfAccepted) {
                                    request.body().release(); // answered, and no rule could send it again
                                }
                                ResponseRelay answered = new ResponseRelay(exchange, request, attempt, upstream,
                                        decision, properties, metrics, drain);
                                relay = answered;
                                return answered.run().doOnSuccess(done -> report(engine, answered));
                            })
                            .doOnError(error -> {
                                span.failed(error, retryReason(error, attempt, anotherEngine, retryIfAccepted));
                                if (UpstreamFailures.engineFault(error, faultStatus(error))) {
                                    outliers.failed(engine, UpstreamFailures.describe(error));
                                }
                            })
                            .doFinally(signal -> {
                                span.end();
                                attempt.releasePermit();
                                attempt.settled();
                                engine.requestFinished();
                                decision.finished(engine);
                            });
                })
                .onErrorResume(UpstreamFailures::poolSaturated, error -> {
                    decision.attemptFailed(engine);
                    try (var logContext = request.trace().logContext(request.requestId())) {
                        if (index + 1 >= ranked.size()) {
                            log.warn("requestId={} every engine's connection pool is saturated (last: {}: {})",
                                    request.requestId(), engine.id(), UpstreamFailures.describe(error));
                            return Mono.error(admission.refusal(AdmissionControl.Rejection.ENGINE_POOLS));
                        }
                        log.info("requestId={} engine {} has no connection free ({}); trying {}",
                                request.requestId(), engine.id(), UpstreamFailures.describe(error),
                                ranked.get(index + 1).id());
                    }
                    metrics.retried("pool_saturated");
                    return attempt(index + 1, number);
                })
                .onErrorResume(error -> retryReason(error, attempt, anotherEngine, retryIfAccepted) != null, error -> {
                    String reason = retryReason(error, attempt, anotherEngine, retryIfAccepted);
                    if (attempt.isWritten() && !(error instanceof UpstreamFailures.Unavailable)) {
                        acceptedRetryUsed = true;
                    }
                    try (var logContext = request.trace().logContext(request.requestId())) {
                        log.info("requestId={} engine {} failed before anything reached the client ({}); trying {}",
                                request.requestId(), engine.id(), UpstreamFailures.describe(error),
                                ranked.get(index + 1).id());
                    }
                    metrics.retried(reason);
                    decision.attemptFailed(engine);
                    return attempt(index + 1, number + 1);
                })
                .onErrorMap(error -> !(error instanceof ApiException) && !exchange.isCommitted(),
                        error -> {
                            try (var logContext = request.trace().logContext(request.requestId())) {
                                log.warn("requestId={} engine {} failed: {}", request.requestId(), engine.id(),
                                        UpstreamFailures.describe(error));
                            }
                            return UpstreamFailures.toApiException(error, engine.id());
                        });
    }

    /**
     * Why the request may go to the next engine after {@code error}, as the {@code reason} of
     * {@code router_retries_total}; {@code null} when the rules say no.
     */
    private String retryReason(Throwable error, Attempt attempt, boolean anotherEngine, boolean retryIfAccepted) {
        if (!anotherEngine || request.body().isReleased() || exchange.isCommitted()
                || !UpstreamFailures.retryable(error)) {
            return null;
        }
        if (error instanceof UpstreamFailures.Unavailable) {
            return "engine_unavailable";
        }
        if (!attempt.isWritten() && !attempt.isStalled()) {
            return "connect_failed";
        }
        if (!retryIfAccepted) {
            return null;
        }
        if (attempt.isStalled()) {
            return "engine_stalled";
        }
        return error instanceof TimeoutException ? "first_byte_timeout" : "engine_failed_after_accepting";
    }

    /** After a relayed answer: a failure status or a broken stream counts against the engine, nothing else does. */
    private void report(Engine engine, ResponseRelay answered) {
        if (answered.streamBroken()) {
            outliers.failed(engine, "stream broke");
        } else if (outliers.isFault(answered.status())) {
            outliers.failed(engine, "HTTP " + answered.status());
        } else {
            outliers.succeeded(engine);
        }
    }

    private boolean faultStatus(Throwable error) {
        return error instanceof UpstreamFailures.Unavailable unavailable && outliers.isFault(unavailable.status());
    }

    /** Streams: until the response headers; whole answers: until the answer, which comes with its headers. */
    private Duration answerTimeout() {
        return request.stream() ? properties.firstByteTimeout() : properties.nonStreamingTimeout();
    }

    /**
     * What the timeout operator switches to. Passing a fallback keeps Reactor from naming the timeout at assembly,
     * which walks the whole operator chain on every request.
     */
    private <T> Mono<T> timedOut(Engine engine) {
        return request.stream() ? Mono.error(() -> new UpstreamFailures.FirstByteTimeout(engine.id()))
                : Mono.error(() -> new TimeoutException("engine " + engine.id() + " sent no answer within"
                        + " router.proxy.non-streaming-timeout"));
    }
}
