package dev.prefixrouter.api;

import java.util.concurrent.ThreadLocalRandom;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Gives every request an id: the client's {@code X-Request-Id} when it is at most 64 characters of
 * {@code [A-Za-z0-9._:-]}, else a fresh random one. The id is echoed on the response, forwarded upstream and
 * written in log lines. vLLM uses the header as the engine's own request id, so a client must not be able to send
 * it something long or odd (the character set keeps it safe in logs and metrics labels too).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestIds implements WebFilter {

    public static final String HEADER = "X-Request-Id";
    private static final String ATTRIBUTE = RequestIds.class.getName() + ".id";
    private static final int MAX_LENGTH = 64;

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String id = idFor(exchange.getRequest().getHeaders().getFirst(HEADER));
        exchange.getAttributes().put(ATTRIBUTE, id);
        exchange.getResponse().getHeaders().set(HEADER, id);
        return chain.filter(exchange);
    }

    /** The request's id, or {@code "-"} for an exchange that did not pass the filter. */
    public static String of(ServerWebExchange exchange) {
        return exchange.getAttributeOrDefault(ATTRIBUTE, "-");
    }

    /** The id of a request whose {@code X-Request-Id} is {@code header} ({@code null} when it sent none). */
    static String idFor(String header) {
        return isAcceptable(header) ? header : generate();
    }

    // Not UUID.randomUUID(): SecureRandom may read /dev/urandom, a blocking call on an event loop.
    static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "req-" + Long.toHexString(random.nextLong() | Long.MIN_VALUE)
                + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
    }

    static boolean isAcceptable(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                    || c == '_' || c == ':' || c == '-';
            if (!safe) {
                return false;
            }
        }
        return true;
    }
}
