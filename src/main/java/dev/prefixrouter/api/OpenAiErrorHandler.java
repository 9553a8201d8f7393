package dev.prefixrouter.api;

import dev.prefixrouter.error.ApiException;
import dev.prefixrouter.error.ErrorBodies;
import dev.prefixrouter.observability.RequestSpan;
import java.nio.charset.StandardCharsets;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * Renders every error on the framework's routes of the API port as an OpenAI-style JSON body
 * ({@link ErrorResponses}): the router's own {@link ApiException}s, the framework's status errors (unknown path,
 * wrong method, unsupported media type) and, as 500, anything unexpected, which is logged with the request id.
 * Runs before Spring Boot's default handler. The proxied routes render theirs in {@link ProxyServer}.
 */
@Component
@Order(-2)
public class OpenAiErrorHandler implements WebExceptionHandler {

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(error);
        }
        ApiException apiError = ErrorResponses.toApiException(error, RequestIds.of(exchange), RequestSpan.NONE,
                exchange.getRequest().getMethod().name(), exchange.getRequest().getPath().value());
        response.setStatusCode(apiError.status());
        HttpHeaders headers = response.getHeaders();
        String requestId = headers.getFirst(RequestIds.HEADER);
        headers.clear();
        if (requestId != null) {
            headers.set(RequestIds.HEADER, requestId);
        }
        ErrorResponses.headers(apiError, headers::set);
        byte[] body = ErrorBodies.json(apiError).getBytes(StandardCharsets.UTF_8);
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }
}
