package dev.prefixrouter.api;

import dev.prefixrouter.error.ApiException;
import dev.prefixrouter.fleet.Candidates;
import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.observability.RequestSpan;
import dev.prefixrouter.observability.RequestTracing;
import dev.prefixrouter.observability.RouterMetrics;
import dev.prefixrouter.proxy.ClientExchange;
import dev.prefixrouter.proxy.ProxyForwarder;
import dev.prefixrouter.proxy.ProxyRequest;
import dev.prefixrouter.proxy.RequestBody;
import dev.prefixrouter.routing.ResponseAffinity;
import dev.prefixrouter.routing.RoutingDecision;
import dev.prefixrouter.routing.RoutingPolicy;
import dev.prefixrouter.routing.RoutingProperties;
import dev.prefixrouter.routing.RoutingRequest;
import dev.prefixrouter.trie.PromptText;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.function.BiConsumer;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/**
 * One proxied OpenAI request, from body to engine: read once (admitted into the request-memory budget), parsed once
 * for what routing needs, routed, and forwarded byte for byte; the proxy writes the engine's response straight to
 * the client.
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
    private final ResponseAffinity responses;
    private final RequestTracing tracing;

    public ProxiedOperation(RequestBodyReader bodyReader, Fleet fleet, RoutingPolicy policy,
            ProxyForwarder forwarder, RouterMetrics metrics, RoutingProperties routing,
            ResponseAffinity responses, RequestTracing tracing) {
        this.responses = responses;
        this.tracing = tracing;
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
    public Mono<Void> handle(ClientExchange exchange, ApiOperation operation) {
        return handle(exchange, operation.path(), (body, start, trace) -> route(exchange, operation, body, start,
                trace));
    }

    /**
     * A {@code GET} or {@code DELETE} of a stored response, or a {@code POST} to cancel it: it goes to the engine
     * that stores it, or gets 404 when the router does not know one (the response was made through another
     * replica of the router, or forgotten) or knows one that left the fleet.
     */
    public Mono<Void> handleStored(ClientExchange exchange, String responseId, HttpMethod method, String path) {
        String route = "/v1/responses/{id}" + (path.endsWith("/cancel") ? "/cancel" : "");
        return handle(exchange, route, (body, start, trace) -> {
            Engine engine = storingEngine(responseId, "response_not_found", null);
            if (HttpMethod.DELETE.equals(method)) {
                responses.forget(responseId);
            }
            ProxyRequest request = new ProxyRequest(method, path, body, RouterMetrics.UNKNOWN_MODEL, false,
                    exchange.requestId(), start, null, trace, true);
            return Mono.just(pinned(request, engine, trace));
        });
    }

    private Mono<Void> handle(ClientExchange exchange, String route, Router router) {
        long start = System.nanoTime();
        RequestSpan trace = tracing.start(exchange.headers(), exchange.method().name(), route);
        exchange.trace(trace);
        return bodyReader.read(exchange)
                .doOnError(ApiException.class, rejection -> rejected(rejection, start))
                .flatMap(body -> Mono.defer(() -> router.route(body, start, trace))
                        .doOnError(ApiException.class, rejection -> rejected(rejection, start))
                        .flatMap(routed -> forwarder.forward(exchange, routed.request(), routed.decision()))
                        .doFinally(signal -> body.end()))
                .doOnError(error -> trace.failed(error, error instanceof ApiException api ? api.status().value()
                        : HttpStatus.INTERNAL_SERVER_ERROR.value()))
                .doFinally(signal -> trace.end(signal == SignalType.CANCEL ? 0 : status(exchange)));
    }

    /** The status written to the client, or 0 (an error's is written later, by the error handler). */
    private static int status(ClientExchange exchange) {
        return exchange.isCommitted() ? exchange.response().status().code() : 0;
    }

    private void rejected(ApiException rejection, long start) {
        metrics.requestFinished(RouterMetrics.UNKNOWN_MODEL, RouterMetrics.NO_BACKEND, rejection.status().value(),
                System.nanoTime() - start);
    }

    /**
     * Parses and routes; throws {@link ApiException} for requests that cannot go anywhere. A policy that prepares
     * (tokenizes) first routes when that is done, or has given up.
     */
    private Mono<Routed> route(ClientExchange exchange, ApiOperation operation, RequestBody body, long start,
            RequestSpan trace) {
        ParsedRequest parsed = operation.multipart() ? multipart(exchange, operation, body)
                : parser.parse(operation, body.bytes(), body.length());
        trace.tag("gen_ai.request.model", parsed.model());
        HttpMethod method = exchange.method();
        String path = exchange.path();
        BiConsumer<String, String> learn = operation == ApiOperation.RESPONSES ? responses::remember : null;
        if (parsed.previousResponseId() != null) {
            // A follow-up: its conversation is stored on one engine, and only there.
            Engine engine = storingEngine(parsed.previousResponseId(), "previous_response_not_found",
                    "previous_response_id");
            if (engine != null) {
                return Mono.just(pinned(new ProxyRequest(method, path, body, parsed.model(), parsed.stream(),
                        exchange.requestId(), start, learn, trace, false), engine, trace));
            }
        }
        Candidates candidates = fleet.candidatesFor(parsed.model());
        if (candidates.healthy().isEmpty()) {
            throw candidates.modelKnown() ? ApiException.noHealthyBackend(parsed.model())
                    : ApiException.modelNotFound(parsed.model());
        }
        String session = exchange.headers().get(sessionHeader);
        RoutingRequest routing = new RoutingRequest(parsed.model(), parsed.prompt(),
                session != null ? session : parsed.user(), parsed.tokenize(), null);
        ProxyRequest request = new ProxyRequest(method, path, body, parsed.model(), parsed.stream(),
                exchange.requestId(), start, learn, trace, false);
        List<Engine> healthy = candidates.healthy();
        if (policy.prepares()) {
            return policy.prepare(routing, healthy).map(prepared -> decide(prepared, healthy, request, trace));
        }
        return Mono.just(decide(routing, healthy, request, trace));
    }

    private Routed decide(RoutingRequest routing, List<Engine> healthy, ProxyRequest request, RequestSpan trace) {
        RoutingDecision decision = policy.route(routing, healthy);
        trace.tag("router.policy", policy.name()).tag("router.engine", decision.ranked().get(0).id())
                .tag("router.prompt_chars", routing.prompt().length());
        if (routing.tokens() != null) {
            // Reused tokens are an earlier request's, standing for the leading part of this prompt.
            trace.tag(routing.tokens().isWhole() ? "router.prompt_tokens" : "router.reused_prompt_tokens",
                    routing.tokens().ids().length);
        }
        decision.explain(trace::tag);
        return new Routed(request, decision);
    }

    /** A request that can only go to the engine that stores its response. */
    private static Routed pinned(ProxyRequest request, Engine engine, RequestSpan trace) {
        trace.tag("router.policy", "response-affinity").tag("router.engine", engine.id());
        return new Routed(request, RoutingDecision.of(List.of(engine)));
    }

    /**
     * The engine storing a response, by what this router learnt when the response was made. {@code null} for an id
     * it never saw (a follow-up then goes where routing sends it, and the engine there decides); an error when the
     * engine it saw has left the fleet, since the response's state left with it.
     */
    private Engine storingEngine(String responseId, String code, String param) {
        String engineId = responses.engineOf(responseId).orElse(null);
        if (engineId == null) {
            if (param != null) {
                return null;
            }
            throw new ApiException(HttpStatus.NOT_FOUND, "invalid_request_error", code, null, "Response '"
                    + responseId + "' is not known to this router: it was made through another router, or long"
                    + " ago. Stored responses live on the engine that made them.");
        }
        Engine engine = fleet.find(engineId).orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND,
                "invalid_request_error", code, param, "Response '" + responseId + "' was stored on engine "
                + engineId + ", which has left the fleet, and its state with it. Send the whole conversation"
                + " again" + (param != null ? " without previous_response_id." : ".")));
        return engine;
    }

    /** A multipart body (audio): the model is a form field; there is no prompt to route on. */
    private ParsedRequest multipart(ClientExchange exchange, ApiOperation operation, RequestBody body) {
        String model = MultipartFields.field(body.bytes(), body.length(),
                exchange.headers().get(HttpHeaderNames.CONTENT_TYPE), "model");
        if (model == null || model.isEmpty()) {
            throw ApiException.invalidRequest("model", "A multipart/form-data body with a 'model' field is"
                    + " required.");
        }
        return new ParsedRequest(operation, model, false, PromptText.of(""), null, null);
    }

    private record Routed(ProxyRequest request, RoutingDecision decision) {
    }

    /** Routes a request whose body has been read. */
    @FunctionalInterface
    private interface Router {
        Mono<Routed> route(RequestBody body, long start, RequestSpan trace) throws ApiException;
    }
}
