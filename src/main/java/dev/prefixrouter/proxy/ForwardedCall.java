package dev.prefixrouter.proxy;

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
 * One request's walk over its ranked engines. Attempts go down the list while nothing has reached the client and
 * the failure is worth another engine; the engine that answers has its response relayed ({@link ResponseRelay}).
 * Each attempt's outcome is reported to the routing decision (attempting, failed, finished), to outlier ejection
 * and, once for the request, to the metrics.
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
        this.ranked = decision.ranked();
        this.maxAttempts = Math.min(properties.maxAttempts(), ranked.size());
    }

    Mono<Void> run() {
        return attempt(0)
                .doOnError(error -> status = error instanceof ApiException api ? api.status().value() : 500)
                .doOnCancel(() -> status = RouterMetrics.CLIENT_CLOSED)
                .doFinally(signal -> metrics.requestFinished(request.model(),
                        current == null ? RouterMetrics.NO_BACKEND : current.id(),
                        relay != null && status == 0 ? relay.status() : status,
                        System.nanoTime() - request.startNanos()));
    }

    private Mono<Void> attempt(int index) {
        Engine engine = ranked.get(index);
        boolean lastChance = index + 1 >= maxAttempts;
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
                            .doOnError(error -> outliers.failed(engine, UpstreamFailures.describe(error)))
                            .doFinally(signal -> {
                                engine.requestFinished();
                                decision.finished(engine);
                            });
                })
                .onErrorResume(error -> !lastChance && UpstreamFailures.retryable(error)
                        && !exchange.getResponse().isCommitted(), error -> {
                    log.info("requestId={} engine {} failed before responding ({}); trying {}", request.requestId(),
                            engine.id(), UpstreamFailures.describe(error), ranked.get(index + 1).id());
                    decision.attemptFailed(engine);
                    return attempt(index + 1);
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
