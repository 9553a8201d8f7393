package dev.prefixrouter.api;

import dev.prefixrouter.error.ApiException;
import dev.prefixrouter.fleet.Candidates;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.observability.RouterMetrics;
import dev.prefixrouter.proxy.ProxyForwarder;
import dev.prefixrouter.proxy.ProxyRequest;
import dev.prefixrouter.proxy.RequestBody;
import dev.prefixrouter.routing.RoutingDecision;
import dev.prefixrouter.routing.RoutingPolicy;
import dev.prefixrouter.routing.RoutingProperties;
import dev.prefixrouter.routing.RoutingRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * One proxied OpenAI request, from body to engine: read once (admitted into the request-memory budget), parsed once
 * for what routing needs, routed, and forwarded byte for byte; the proxy writes the engine's response straight to
 * the exchange.
 */
@Component
public class ProxiedOperation {

    private final RequestBodyReader bodyReader;
    private final OpenAiRequestParser parser = new OpenAiRequestParser();
    private final Fleet fleet;
    private final RoutingPolicy policy;
    private final ProxyForwarder forwarder;
    private final RouterMetrics metrics;
    private final String sessionHeader;

    public ProxiedOperation(RequestBodyReader bodyReader, Fleet fleet, RoutingPolicy policy,
            ProxyForwarder forwarder, RouterMetrics metrics, RoutingProperties routing) {
        this.bodyReader = bodyReader;
        this.fleet = fleet;
        this.policy = policy;
        this.forwarder = forwarder;
        this.metrics = metrics;
        this.sessionHeader = routing.sessionHeader();
    }

    /**
     * Admits and reads the body, routes, forwards; the body is released when the proxy no longer needs it, and at
     * the end whatever happened. Refusals before forwarding are counted here; the proxy counts the rest.
     */
    public Mono<Void> handle(ServerWebExchange exchange, ApiOperation operation) {
        long start = System.nanoTime();
        return bodyReader.read(exchange.getRequest())
                .doOnError(ApiException.class, rejection -> rejected(rejection, start))
                .flatMap(body -> Mono.fromCallable(() -> route(exchange, operation, body, start))
                        .doOnError(ApiException.class, rejection -> rejected(rejection, start))
                        .flatMap(routed -> forwarder.forward(exchange, routed.request(), routed.decision()))
                        .doFinally(signal -> body.end()));
    }

    private void rejected(ApiException rejection, long start) {
        metrics.requestFinished(RouterMetrics.UNKNOWN_MODEL, RouterMetrics.NO_BACKEND, rejection.status().value(),
                System.nanoTime() - start);
    }

    /** Parses and routes; throws {@link ApiException} for requests that cannot go anywhere. */
    private Routed route(ServerWebExchange exchange, ApiOperation operation, RequestBody body, long start) {
        ParsedRequest parsed = parser.parse(operation, body.bytes(), body.length());
        Candidates candidates = fleet.candidatesFor(parsed.model());
        if (candidates.healthy().isEmpty()) {
            throw candidates.modelKnown() ? ApiException.noHealthyBackend(parsed.model())
                    : ApiException.modelNotFound(parsed.model());
        }
        String session = exchange.getRequest().getHeaders().getFirst(sessionHeader);
        RoutingRequest routing = new RoutingRequest(parsed.model(), parsed.prompt(),
                session != null ? session : parsed.user());
        ProxyRequest request = new ProxyRequest(operation.path(), body, parsed.model(), parsed.stream(),
                RequestIds.of(exchange), start);
        return new Routed(request, policy.route(routing, candidates.healthy()));
    }

    private record Routed(ProxyRequest request, RoutingDecision decision) {
    }
}
