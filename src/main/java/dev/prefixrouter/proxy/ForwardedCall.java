package dev.prefixrouter.proxy;

import dev.prefixrouter.admission.AdmissionControl;
import dev.prefixrouter.error.ApiException;
import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.ejection.OutlierDetector;
import dev.prefixrouter.observability.RouterMetrics;
import dev.prefixrouter.routing.RoutingDecision;
import java.util.List;
import java.util.concurrent.TimeoutException;
import lombok.extern.slf4j.Slf4j;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * One request's walk over its ranked engines. Attempts go down the list while the body is still held and the
 * failure is worth another engine (at most {@code max-attempts}); an engine whose connection pool is saturated is
 * passed over without counting as a failure, and when every one is, the client gets the router's overload answer.
 * The engine that answers has its response relayed ({@link ResponseRelay}), and from then on the request body is
 * released: it can no longer go elsewhere. Each attempt's outcome is reported to the routing decision (attempting,
 * failed, finished), to outlier ejection (pool saturation is not an engine fault) and, once for the request, to
 * the metrics.
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
    private final AdmissionControl admission;
    private final List<Engine> ranked;
    private final int maxAttempts;

    private Engine current;
    private ResponseRelay relay;
    private int status;

    ForwardedCall(ServerWebExchange exchange, ProxyRequest request, RoutingDecision decision, ProxyServices services) {
        this.exchange = exchange;
        this.request = request;
        this.decision = decision;
        this.client = services.client();
        this.properties = services.properties();
        this.metrics = services.metrics();
        this.outliers = services.outliers();
        this.admission = services.admission();
        this.ranked = decision.ranked();
        this.maxAttempts = properties.maxAttempts();
    }

    Mono<Void> run() {
        return attempt(0, 0)
                .doOnError(error -> status = error instanceof ApiException api ? api.status().value() : 500)
                .doOnCancel(() -> status = RouterMetrics.CLIENT_CLOSED)
                .doFinally(signal -> metrics.requestFinished(request.model(),
                        current == null ? RouterMetrics.NO_BACKEND : current.id(),
                        relay != null && status == 0 ? relay.status() : status,
                        System.nanoTime() - request.startNanos()));
    }

    /** Sends to {@code ranked[index]}, {@code failures} attempts having failed before. */
    private Mono<Void> attempt(int index, int failures) {
        Engine engine = ranked.get(index);
        boolean lastEngine = index + 1 >= ranked.size();
        boolean lastChance = lastEngine || failures + 1 >= maxAttempts;
        return Mono.defer(() -> {
                    current = engine;
                    decision.attempting(engine);
                    engine.requestStarted();
                    return client.send(engine, request, exchange.getRequest())
                            .timeout(properties.responseTimeout(), timedOut())
                            .flatMap(upstream -> {
                                if (upstream.status() == 503 && !lastChance) {
                                    upstream.dispose();
                                    return Mono.error(new UpstreamFailures.Unavailable(engine.id()));
                                }
                                relay = new ResponseRelay(exchange, request, engine, upstream, decision, properties,
                                        metrics);
                                request.body().release(); // answered: the request can no longer go elsewhere
                                return relay.run();
                            })
                            .doOnSuccess(done -> {
                                if (relay.streamBroken() || relay.status() >= 500) {
                                    outliers.failed(engine, relay.streamBroken() ? "stream broke"
                                            : "HTTP " + relay.status());
                                } else {
                                    outliers.succeeded(engine);
                                }
                            })
                            .doOnError(error -> {
                                if (!UpstreamFailures.poolSaturated(error)) {
                                    outliers.failed(engine, UpstreamFailures.describe(error));
                                }
                            })
                            .doFinally(signal -> {
                                engine.requestFinished();
                                decision.finished(engine);
                            });
                })
                .onErrorResume(UpstreamFailures::poolSaturated, error -> {
                    decision.attemptFailed(engine);
                    if (lastEngine) {
                        log.warn("requestId={} every engine's connection pool is saturated (last: {}: {})",
                                request.requestId(), engine.id(), UpstreamFailures.describe(error));
                        return Mono.error(admission.refusal(AdmissionControl.Rejection.ENGINE_POOLS));
                    }
                    log.info("requestId={} engine {} has no connection free ({}); trying {}", request.requestId(),
                            engine.id(), UpstreamFailures.describe(error), ranked.get(index + 1).id());
                    return attempt(index + 1, failures);
                })
                .onErrorResume(error -> !lastChance && UpstreamFailures.retryable(error)
                        && !request.body().isReleased() && !exchange.getResponse().isCommitted(), error -> {
                    log.info("requestId={} engine {} failed before responding ({}); trying {}", request.requestId(),
                            engine.id(), UpstreamFailures.describe(error), ranked.get(index + 1).id());
                    decision.attemptFailed(engine);
                    return attempt(index + 1, failures + 1);
                })
                .onErrorMap(error -> !(error instanceof ApiException) && !exchange.getResponse().isCommitted(),
                        error -> {
                            log.warn("requestId={} engine {} failed: {}", request.requestId(), engine.id(),
                                    UpstreamFailures.describe(error));
                            return UpstreamFailures.toApiException(error, engine.id());
                        });
    }

    /**
     * What a timeout operator switches to: the same {@link TimeoutException} it would raise by itself. Passing it
     * keeps Reactor from naming the timeout at assembly, which walks the whole operator chain on every request.
     */
    static <T> Mono<T> timedOut() {
        return Mono.error(() -> new TimeoutException("no signal from the engine within the timeout"));
    }
}
