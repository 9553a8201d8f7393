package dev.prefixrouter.api;

import dev.prefixrouter.error.ApiException;
import java.util.EnumSet;
import java.util.function.Function;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The proxied OpenAI-style operations as functional routes: an exact path and method per operation (every path
 * vLLM serves it on), {@code GET}, {@code DELETE} and cancel of stored responses, and the engine's answer written
 * by the proxy itself, so dispatch costs a path comparison, not annotated-controller argument resolution and
 * result handling. Another method on one of these paths gets 405, as an OpenAI error.
 */
@Configuration(proxyBeanMethods = false)
class ProxyRoutes {

    private static final String STORED = "/v1/responses/{id}";

    @Bean
    RouterFunction<ServerResponse> proxiedOperations(ProxiedOperation proxied) {
        RouterFunctions.Builder routes = RouterFunctions.route();
        for (ApiOperation operation : EnumSet.allOf(ApiOperation.class)) {
            for (String path : operation.paths()) {
                routes.POST(path, request -> relayed(exchange -> proxied.handle(exchange, operation)));
                routes.route(RequestPredicates.path(path), request -> Mono.error(new ApiException(
                        HttpStatus.METHOD_NOT_ALLOWED, "invalid_request_error", null, null, "Method "
                        + request.method() + " is not supported for " + path + "; use POST.")));
            }
        }
        // Stored responses live on the engine that made them.
        routes.GET(STORED, request -> relayed(exchange -> proxied.handleStored(exchange,
                request.pathVariable("id"), HttpMethod.GET, request.path())));
        routes.DELETE(STORED, request -> relayed(exchange -> proxied.handleStored(exchange,
                request.pathVariable("id"), HttpMethod.DELETE, request.path())));
        routes.POST(STORED + "/cancel", request -> relayed(exchange -> proxied.handleStored(exchange,
                request.pathVariable("id"), HttpMethod.POST, request.path())));
        return routes.build();
    }

    private static Mono<ServerResponse> relayed(Function<ServerWebExchange, Mono<Void>> handler) {
        return Mono.just(new Relayed(handler));
    }

    /** A response the proxy writes to the exchange as the engine's answer arrives. */
    private record Relayed(Function<ServerWebExchange, Mono<Void>> handler) implements ServerResponse {

        @Override
        public HttpStatusCode statusCode() {
            return HttpStatus.OK; // whatever the engine answers; the proxy sets it on the exchange
        }

        @Override
        public HttpHeaders headers() {
            return HttpHeaders.EMPTY;
        }

        @Override
        public MultiValueMap<String, ResponseCookie> cookies() {
            return new LinkedMultiValueMap<>();
        }

        @Override
        public Mono<Void> writeTo(ServerWebExchange exchange, Context context) {
            return handler.apply(exchange);
        }
    }
}
