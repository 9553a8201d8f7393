package dev.prefixrouter.admission;

import io.netty.handler.timeout.ReadTimeoutException;
import lombok.extern.slf4j.Slf4j;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Hooks;

/**
 * How long a client may hold the server's resources without making progress: a pause longer than
 * {@code router.limits.body-read-timeout} while its request body arrives (a slow upload would otherwise hold its
 * buffers and its share of the request-memory budget indefinitely), or a keep-alive connection idle longer than
 * {@code router.limits.idle-timeout}. Either closes the connection. Request headers are bounded by Spring Boot's
 * {@code server.max-http-request-header-size} (8KB by default; larger ones get 431).
 */
@Slf4j
@Configuration(proxyBeanMethods = false)
class ClientTimeouts {

    @Bean
    NettyServerCustomizer clientTimeoutsCustomizer(LimitsProperties limits) {
        log.info("clients: at most {} between reads of a request body, {} idle on a keep-alive connection",
                limits.bodyReadTimeout(), limits.idleTimeout());
        // A read timeout reaches the request (a 408, and the connection closes) and then once more the closed
        // connection's receiver, which Reactor reports as an error nobody handled: expected, so not an ERROR line.
        Hooks.onErrorDropped(error -> {
            if (error instanceof ReadTimeoutException) {
                log.debug("a request body stopped arriving; its connection was closed");
            } else {
                log.error("Operator called default onErrorDropped", error);
            }
        });
        return server -> server.readTimeout(limits.bodyReadTimeout()).idleTimeout(limits.idleTimeout());
    }
}
