package dev.prefixrouter.api;

import dev.prefixrouter.error.ApiException;
import dev.prefixrouter.error.ErrorBodies;
import dev.prefixrouter.observability.RequestSpan;
import java.nio.charset.StandardCharsets;
import lombok.extern.slf4j.Slf4j;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * Renders every error on the API port as an OpenAI-style JSON body: the router's own {@link ApiException}s, the
 * framework's status errors (unknown path, wrong method, unsupported media type) and, as 500, anything unexpected,
 * which is logged with the request id. Runs before Spring Boot's default handler.
 */
@Slf4j
@Component
@Order(-2)
public class OpenAiErrorHandler implements WebExceptionHandler {

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(error);
        }
        ApiException apiError = toApiException(exchange, error);
        response.setStatusCode(apiError.status());
        // Headers an engine's response may have set before it failed (length, encoding) describe another body.
        HttpHeaders headers = response.getHeaders();
        String requestId = headers.getFirst(RequestIds.HEADER);
        headers.clear();
        if (requestId != null) {
            headers.set(RequestIds.HEADER, requestId);
        }
        headers.setContentType(MediaType.APPLICATION_JSON);
        if (apiError.status() == HttpStatus.UNAUTHORIZED) {
            headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer"); // RFC 9110 §11.6.1: a 401 names its scheme
        }
        if (apiError.retryAfter() != null) {
            long millis = Math.max(1, apiError.retryAfter().toMillis());
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString((millis + 999) / 1000));
            headers.set("retry-after-ms", Long.toString(millis)); // read first by the OpenAI SDKs
        }
        byte[] body = ErrorBodies.json(apiError).getBytes(StandardCharsets.UTF_8);
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }

    /** The request's trace, if it got as far as the proxied operations. */
    private static RequestSpan traceOf(ServerWebExchange exchange) {
        return exchange.getAttributeOrDefault(RequestSpan.ATTRIBUTE, RequestSpan.NONE);
    }

    private static ApiException toApiException(ServerWebExchange exchange, Throwable error) {
        if (error instanceof ApiException apiError) {
            if (apiError.status().is5xxServerError()) {
                try (var logContext = traceOf(exchange).logContext(RequestIds.of(exchange))) {
                    log.warn("requestId={} {} {} -> {} {}", RequestIds.of(exchange),
                            exchange.getRequest().getMethod(), exchange.getRequest().getPath(),
                            apiError.status().value(), apiError.getMessage());
                }
            }
            return apiError;
        }
        if (error instanceof ResponseStatusException statusError) {
            HttpStatusCode code = statusError.getStatusCode();
            HttpStatus status = HttpStatus.resolve(code.value());
            String type = code.is4xxClientError() ? "invalid_request_error" : "server_error";
            String reason = statusError.getReason() != null ? statusError.getReason()
                    : status != null ? status.getReasonPhrase() : "Error";
            return new ApiException(status != null ? status : HttpStatus.INTERNAL_SERVER_ERROR, type, null, null,
                    reason + " (" + exchange.getRequest().getMethod() + " " + exchange.getRequest().getPath() + ")");
        }
        try (var logContext = traceOf(exchange).logContext(RequestIds.of(exchange))) {
            log.error("requestId={} unexpected error on {} {}", RequestIds.of(exchange),
                    exchange.getRequest().getMethod(), exchange.getRequest().getPath(), error);
        }
        return new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "server_error", "internal_error", null,
                "The router failed to handle the request (request id " + RequestIds.of(exchange) + ").");
    }
}
