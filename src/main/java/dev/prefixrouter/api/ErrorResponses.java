package dev.prefixrouter.api;

import dev.prefixrouter.error.ApiException;
import dev.prefixrouter.observability.RequestSpan;
import java.util.function.BiConsumer;
import lombok.extern.slf4j.Slf4j;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.server.ResponseStatusException;

/**
 * What an error on the API port answers, whichever server path met it ({@link OpenAiErrorHandler} for the
 * framework's routes, {@link ProxyServer} for the proxied ones): the {@link ApiException} it stands for, logged
 * when it is the router's fault, and the headers of its OpenAI-style JSON body.
 */
@Slf4j
final class ErrorResponses {

    private ErrorResponses() {
    }

    /**
     * The router's own {@link ApiException}s as they are (5xx logged), the framework's status errors (unknown
     * path, wrong method, unsupported media type) as client errors, and anything unexpected as a logged 500.
     */
    static ApiException toApiException(Throwable error, String requestId, RequestSpan trace, String method,
            String path) {
        if (error instanceof ApiException apiError) {
            if (apiError.status().is5xxServerError()) {
                try (var logContext = trace.logContext(requestId)) {
                    log.warn("requestId={} {} {} -> {} {}", requestId, method, path, apiError.status().value(),
                            apiError.getMessage());
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
                    reason + " (" + method + " " + path + ")");
        }
        try (var logContext = trace.logContext(requestId)) {
            log.error("requestId={} unexpected error on {} {}", requestId, method, path, error);
        }
        return new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "server_error", "internal_error", null,
                "The router failed to handle the request (request id " + requestId + ").");
    }

    /** The headers an error's JSON body goes with, besides the request id. */
    static void headers(ApiException error, BiConsumer<String, String> set) {
        set.accept(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON_VALUE);
        if (error.status() == HttpStatus.UNAUTHORIZED) {
            set.accept(HttpHeaders.WWW_AUTHENTICATE, "Bearer"); // RFC 9110 §11.6.1: a 401 names its scheme
        }
        if (error.retryAfter() != null) {
            long millis = Math.max(1, error.retryAfter().toMillis());
            set.accept(HttpHeaders.RETRY_AFTER, Long.toString((millis + 999) / 1000));
            set.accept("retry-after-ms", Long.toString(millis)); // read first by the OpenAI SDKs
        }
    }
}
