package dev.prefixrouter.error;

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

    public ApiException(HttpStatus status, String type, String code, String param, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    /** 400: the request body is not what the engine accepts; {@code param} names the offending field. */
    public static ApiException invalidRequest(String param, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", null, param, message);
    }

    public static ApiException bodyTooLarge(long maxBytes) {
        return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "invalid_request_error", "request_too_large", null,
                "Request body exceeds the limit of " + maxBytes + " bytes (router.limits.max-body-size).");
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
}
