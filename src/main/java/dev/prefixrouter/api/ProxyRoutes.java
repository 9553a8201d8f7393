package dev.prefixrouter.api;

import dev.prefixrouter.error.ApiException;
import java.util.EnumSet;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The proxied operations' paths as WebFlux sees them: the requests it gets there are those {@link ProxyServer} does
 * not serve, another method than {@code POST}, which get 405 as an OpenAI error.
 */
@Configuration(proxyBeanMethods = false)
class ProxyRoutes {

    @Bean
    RouterFunction<ServerResponse> proxiedOperationsOtherMethods() {
        RouterFunctions.Builder routes = RouterFunctions.route();
        for (ApiOperation operation : EnumSet.allOf(ApiOperation.class)) {
            for (String path : operation.paths()) {
                routes.route(RequestPredicates.path(path), request -> Mono.error(new ApiException(
                        HttpStatus.METHOD_NOT_ALLOWED, "invalid_request_error", null, null, "Method "
                        + request.method() + " is not supported for " + path + "; use POST.")));
            }
        }
        return routes.build();
    }
}
