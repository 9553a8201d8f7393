package dev.prefixrouter.api;

import dev.prefixrouter.error.ApiException;
import dev.prefixrouter.fleet.Candidates;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.lifecycle.DrainSignal;
import dev.prefixrouter.observability.RouterMetrics;
import dev.prefixrouter.proxy.ProxyForwarder;
import dev.prefixrouter.proxy.ProxyRequest;
import dev.prefixrouter.proxy.RequestBody;
import dev.prefixrouter.routing.RoutingDecision;
import dev.prefixrouter.routing.RoutingPolicy;
import dev.prefixrouter.routing.RoutingProperties;
import dev.prefixrouter.routing.RoutingRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The OpenAI-compatible surface. Generation and embedding requests are read once, parsed once for what routing
 * needs, routed, and forwarded byte for byte; the proxy writes the engine's response straight to the exchange.
 */
@RestController
public class OpenAiController {

    private final RequestBodyReader bodyReader;
    private final OpenAiRequestParser parser = new OpenAiRequestParser();
    private final Fleet fleet;
    private final RoutingPolicy policy;
    private final ProxyForwarder forwarder;
    private final RouterMetrics metrics;
    private final String sessionHeader;
    private final DrainSignal drain;
    private final long startedAtEpochSeconds = System.currentTimeMillis() / 1000;

    public OpenAiController(RequestBodyReader bodyReader, Fleet fleet, RoutingPolicy policy,
            ProxyForwarder forwarder, RouterMetrics metrics, RoutingProperties routing, DrainSignal drain) {
        this.bodyReader = bodyReader;
        this.drain = drain;
        this.fleet = fleet;
        this.policy = policy;
        this.forwarder = forwarder;
        this.metrics = metrics;
        this.sessionHeader = routing.sessionHeader();
    }

    @PostMapping("/v1/chat/completions")
    public Mono<Void> chatCompletions(ServerWebExchange exchange) {
        return handle(exchange, ApiOperation.CHAT_COMPLETIONS);
    }

    @PostMapping("/v1/completions")
    public Mono<Void> completions(ServerWebExchange exchange) {
        return handle(exchange, ApiOperation.COMPLETIONS);
    }

    @PostMapping("/v1/embeddings")
    public Mono<Void> embeddings(ServerWebExchange exchange) {
        return handle(exchange, ApiOperation.EMBEDDINGS);
    }

    /** Models served by at least one healthy engine, in OpenAI's list format. */
    @GetMapping("/v1/models")
    public Map<String, Object> models() {
        List<Map<String, Object>> data = fleet.healthyModels().stream()
                .<Map<String, Object>>map(id -> Map.of("id", id, "object", "model",
                        "created", startedAtEpochSeconds, "owned_by", "prefix-router"))
                .toList();
        return Map.of("object", "list", "data", data);
    }

    /**
     * 200 while at least one engine is healthy and the router is not draining, else 503: a load balancer in front
     * can steer by it.
     */
    @GetMapping("/health")
    public ResponseEntity<Map<String, Object>> health() {
        int healthy = fleet.healthyCount();
        boolean up = healthy > 0 && !drain.draining();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", drain.draining() ? "DRAINING" : up ? "UP" : "DOWN");
        body.put("healthyBackends", healthy);
        body.put("backends", fleet.engines().size());
        return ResponseEntity.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(body);
    }

    /**
     * Admits and reads the body, routes, forwards; the body is released when the proxy no longer needs it, and at
     * the end whatever happened. Refusals before forwarding are counted here; the proxy counts the rest.
     */
    private Mono<Void> handle(ServerWebExchange exchange, ApiOperation operation) {
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
