package dev.prefixrouter.security;

import dev.prefixrouter.error.ErrorBodies;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import lombok.extern.slf4j.Slf4j;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Guards the actuator's write operations: any request to the management port (or under the actuator's base path,
 * should the actuator share the API port) that is not a GET, HEAD or OPTIONS. Without {@code router.management.write-token} each is refused with 403; with it, each needs
 * {@code Authorization: Bearer <token>} (compared as a SHA-256 digest in constant time) or gets 401 with
 * {@code WWW-Authenticate: Bearer}. Reads (health, metrics, the views) stay open: the port itself is kept to the
 * monitoring namespace by the NetworkPolicy.
 *
 * <p>Spring Boot's actuator has no authentication of its own without Spring Security; this filter is it. The
 * management port runs in a child context whose web handler collects the {@code WebFilter} beans of its parent
 * too, so this one bean sees both ports; it learns which one is the management port when that server starts.
 * Every write, let through or not, is logged with the caller's address, never with the token.
 */
@Slf4j
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
public class ManagementWriteGuard implements WebFilter, ApplicationListener<WebServerInitializedEvent> {

    private static final String MANAGEMENT_SERVER = "management";

    private final KeySet token;
    private final String basePath;
    private volatile int managementPort = -1;

    public ManagementWriteGuard(ManagementProperties properties,
            @Value("${management.endpoints.web.base-path:/actuator}") String basePath) {
        this.token = properties.writesEnabled() ? KeySet.of(Map.of("write-token", properties.writeToken())) : null;
        this.basePath = basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath;
    }

    /** Notes the management port's number once its server (the child context's) is up. */
    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (MANAGEMENT_SERVER.equals(event.getApplicationContext().getServerNamespace())) {
            managementPort = event.getWebServer().getPort();
        }
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        if (!isWrite(request.getMethod()) || !isManagement(request)) {
            return chain.filter(exchange);
        }
        String what = request.getMethod().name() + " " + request.getPath().value();
        if (token == null) {
            log.warn("management write {} from {} refused: router.management.write-token is not set", what,
                    request.getRemoteAddress());
            return refuse(exchange, HttpStatus.FORBIDDEN, "writes_disabled", "Write operations on the management"
                    + " port are disabled; set router.management.write-token to enable them.");
        }
        String presented = BearerToken.of(request.getHeaders().get(HttpHeaders.AUTHORIZATION));
        if (presented == null || token.match(presented) == null) {
            log.warn("management write {} from {} refused: {} token", what, request.getRemoteAddress(),
                    presented == null ? "no" : "wrong");
            return refuse(exchange, HttpStatus.UNAUTHORIZED, "invalid_write_token", "Write operations on the"
                    + " management port need 'Authorization: Bearer <router.management.write-token>'.");
        }
        log.info("management write {} from {}", what, request.getRemoteAddress());
        return chain.filter(exchange);
    }

    private static boolean isWrite(HttpMethod method) {
        return !(HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method));
    }

    private boolean isManagement(ServerHttpRequest request) {
        InetSocketAddress local = request.getLocalAddress();
        if (local != null && local.getPort() == managementPort) {
            return true;
        }
        String path = request.getPath().pathWithinApplication().value();
        return !basePath.isEmpty() && (path.equals(basePath) || path.startsWith(basePath + "/"));
    }

    private static Mono<Void> refuse(ServerWebExchange exchange, HttpStatus status, String code, String message) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        if (status == HttpStatus.UNAUTHORIZED) {
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        byte[] body = ErrorBodies.json(message, "invalid_request_error", null, code)
                .getBytes(StandardCharsets.UTF_8);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }
}
