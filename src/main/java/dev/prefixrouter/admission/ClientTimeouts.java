package dev.prefixrouter.admission;

import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutException;
import java.util.Arrays;
import lombok.extern.slf4j.Slf4j;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Hooks;
import reactor.netty.NettyPipeline;
import reactor.netty.http.HttpProtocol;

/**
 * How long a client may hold the server's resources without making progress: a pause longer than
 * {@code router.limits.body-read-timeout} while its request body arrives (a slow upload would otherwise hold its
 * buffers and its share of the request-memory budget indefinitely), or a keep-alive connection idle longer than
 * {@code router.limits.idle-timeout}. Either closes the connection. Over HTTP/1.1 both are kept by one timer per
 * connection ({@link ConnectionTimeouts}); a connection whose request headers trickle in counts as idle. Request
 * headers are bounded by Spring Boot's {@code server.max-http-request-header-size} (8KB by default; larger ones get
 * 431).
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
        long idle = limits.idleTimeout().toNanos();
        long bodyRead = limits.bodyReadTimeout().toNanos();
        return server -> {
            if (!Arrays.equals(server.configuration().protocols(), new HttpProtocol[] {HttpProtocol.HTTP11})) {
                // HTTP/2 streams share a connection: Reactor Netty's own timeouts know them.
                return server.readTimeout(limits.bodyReadTimeout()).idleTimeout(limits.idleTimeout());
            }
            return server.doOnChannelInit((observer, channel, remote) -> {
                if (channel.pipeline().get(NettyPipeline.HttpCodec) instanceof HttpServerCodec) {
                    channel.pipeline().addAfter(NettyPipeline.HttpCodec, ConnectionTimeouts.NAME,
                            new ConnectionTimeouts(idle, bodyRead));
                }
            });
        };
    }
}
