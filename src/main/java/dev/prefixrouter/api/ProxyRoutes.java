package dev.prefixrouter.api;

import dev.prefixrouter.error.ApiException;
import java.util.EnumSet;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
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
 * The proxied OpenAI operations as functional routes: an exact path and method per operation, and the engine's
 * answer written by the proxy itself, so dispatch costs a path comparison, not annotated-controller argument
 * resolution and result handling. Another method on one of these paths gets 405, as an OpenAI error.
 */
@Configuration(proxyBeanMethods = false)
class ProxyRoutes {

    @Bean
    RouterFunction<ServerResponse> proxiedOperations(ProxiedOperation proxied) {
        RouterFunctions.Builder routes = RouterFunctions.route();
        for (ApiOperation operation : EnumSet.allOf(ApiOperation.class)) {
            routes.POST(operation.path(), request -> Mono.just(new Relayed(proxied, operation)));
            routes.route(RequestPredicates.path(operation.path()), request -> Mono.error(new ApiException(
                    HttpStatus.METHOD_NOT_ALLOWED, "invalid_request_error", null, null, "Method "
                    + request.method() + " is not supported for " + operation.path() + "; use POST.")));
        }
        return routes.build();
    }

    /** A response the proxy writes to the exchange as the engine's answer arrives. */
    private record Relayed(ProxiedOperation proxied, ApiOperation operation) implements ServerResponse {

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
            return proxied.handle(exchange, operation);
        }
    }
}
