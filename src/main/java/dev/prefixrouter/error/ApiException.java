package dev.prefixrouter.error;

import java.time.Duration;
import org.springframework.http.HttpStatus;

/**
 * An error the client can act on, rendered as an OpenAI-style body
 * {@code {"error":{"message","type","param","code"}}} with an accurate HTTP status.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String param;
    private final String code;
    private final Duration retryAfter;

    public ApiException(HttpStatus status, String type, String code, String param, String message) {
        this(status, type, code, param, message, null);
    }

    private ApiException(HttpStatus status, String type, String code, String param, String message,
            Duration retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.retryAfter = retryAfter;
    }

    /** 400: the request body is not what the engine accepts; {@code param} names the offending field. */
    public static ApiException invalidRequest(String param, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", null, param, message);
    }

    public static ApiException bodyTooLarge(long maxBytes) {
        return bodyTooLarge(maxBytes, "router.limits.max-body-size");
    }

    /** 413: the body is larger than {@code maxBytes}, the limit set by {@code property}. */
    public static ApiException bodyTooLarge(long maxBytes, String property) {
        return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "invalid_request_error", "request_too_large", null,
                "Request body exceeds the limit of " + maxBytes + " bytes (" + property + ").");
    }

    /** The router is shutting down: the end of a stream it had to cut (the client should retry elsewhere). */
    public static ApiException shuttingDown() {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "router_shutting_down", null,
                "The router is shutting down and ended this stream before the engine finished it; retry the"
                        + " request.");
    }

    /**
     * 503 with {@code Retry-After}: the router has no room for the request now. Both OpenAI SDKs retry a 503 after
     * the delay the response names; 429 would tell the client that it, rather than the router, is over a limit.
     */
    public static ApiException overloaded(String detail, Duration retryAfter) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "overloaded", null,
                "The router is overloaded: " + detail + " Retry after " + retryAfter.toMillis() + " ms.",
                retryAfter);
    }

    /**
     * 401, as OpenAI answers a request without a key: the router requires client API keys. The client is told how
     * to send one; the answer carries {@code WWW-Authenticate: Bearer}.
     */
    public static ApiException missingApiKey() {
        return new ApiException(HttpStatus.UNAUTHORIZED, "invalid_request_error", "invalid_api_key", null,
                "You didn't provide an API key. You need to provide your API key in an Authorization header using"
                        + " Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
    }

    /** 401, as OpenAI answers a wrong key; the key is not repeated back. */
    public static ApiException invalidApiKey() {
        return new ApiException(HttpStatus.UNAUTHORIZED, "invalid_request_error", "invalid_api_key", null,
                "Incorrect API key provided. Send one of the keys this router accepts as"
                        + " 'Authorization: Bearer YOUR_KEY'.");
    }

    public static ApiException modelNotFound(String model) {
        return new ApiException(HttpStatus.NOT_FOUND, "invalid_request_error", "model_not_found", "model",
                "The model '" + model + "' does not exist: no engine serves it.");
    }

    public static ApiException noHealthyBackend(String model) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "no_healthy_backend", null,
                "No healthy engine is available for model '" + model + "'. Retry later.");
    }

    public static ApiException upstreamUnreachable(String detail) {
        return new ApiException(HttpStatus.BAD_GATEWAY, "server_error", "upstream_unreachable", null,
                "Could not reach an engine: " + detail);
    }

    public static ApiException upstreamTimeout(String detail) {
        return new ApiException(HttpStatus.GATEWAY_TIMEOUT, "server_error", "upstream_timeout", null,
                "The engine did not answer in time: " + detail);
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    /** How long the client should wait before retrying, or {@code null} when the error says nothing about it. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
