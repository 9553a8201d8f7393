package dev.prefixrouter.security;

import dev.prefixrouter.error.ApiException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * With client keys on, lets a request to the OpenAI surface ({@code /v1} and below, {@code /v1/models} included,
 * and the routes vLLM serves outside {@code /v1}: {@code /tokenize}, {@code /rerank}, ...) through only with
 * {@code Authorization: Bearer <a current key>}. Any other gets 401 {@code invalid_api_key}
 * (rendered by the API's error handler, with {@code WWW-Authenticate: Bearer}) before its body is read or anything
 * is routed, and is counted ({@code router_client_key_rejections_total{reason="missing"|"invalid"}}). An accepted
 * request goes on without its {@code Authorization} header, so nothing after this filter (the proxy above all)
 * can forward the client's key to an engine. {@code /health} and the management endpoints stay open; with client
 * keys off, every request passes untouched. The proxied operations never reach WebFlux's filters: their server
 * route asks {@link ClientKeys#refusal} the same question and forwards no router key either.
 *
 * <p>Ordered right after the request id is assigned, so that a 401 carries one too.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class ClientKeyFilter implements WebFilter {

    private final ClientKeys keys;
    private final String managementBasePath;

    public ClientKeyFilter(ClientKeys keys,
            @Value("${management.endpoints.web.base-path:/actuator}") String managementBasePath) {
        this.keys = keys;
        this.managementBasePath = managementBasePath;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!keys.enabled() || !isProtected(exchange.getRequest())) {
            return chain.filter(exchange);
        }
        ApiException refusal = keys.refusal(exchange.getRequest().getHeaders().get(HttpHeaders.AUTHORIZATION));
        if (refusal != null) {
            return Mono.error(refusal);
        }
        ServerHttpRequest withoutKey = exchange.getRequest().mutate()
                .headers(mutable -> mutable.remove(HttpHeaders.AUTHORIZATION))
                .build();
        return chain.filter(exchange.mutate().request(withoutKey).build());
    }

    /**
     * Everything but the router's own {@code /health} and the management endpoints (which have their own write
     * token): vLLM serves {@code /tokenize}, {@code /rerank}, ... outside {@code /v1}, and a path the router does
     * not serve gets its 404 only with a key.
     */
    private boolean isProtected(ServerHttpRequest request) {
        String path = request.getPath().pathWithinApplication().value();
        return !path.equals("/health") && !path.equals(managementBasePath)
                && !path.startsWith(managementBasePath + "/");
    }
}
