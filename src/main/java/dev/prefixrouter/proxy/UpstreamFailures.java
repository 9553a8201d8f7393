package dev.prefixrouter.proxy;

import dev.prefixrouter.error.ApiException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import reactor.netty.http.client.PrematureCloseException;

/** Classifies what went wrong talking to an engine: whether another engine may be tried, and what the client sees. */
final class UpstreamFailures {

    private UpstreamFailures() {
    }

    /** The engine answered 503 before anything reached the client: another engine may have room. */
    static final class Unavailable extends IOException {
        Unavailable(String engine) {
            super("engine " + engine + " answered 503", null);
        }
    }

    /**
     * Connection-level failures (refused, reset, closed before a response, 503) are worth another engine; a
     * timeout is not, since the engine may still be working and a retry would double the load.
     */
    static boolean retryable(Throwable error) {
        return error instanceof IOException && !(error instanceof TimeoutException);
    }

    static ApiException toApiException(Throwable error, String engine) {
        if (error instanceof ApiException apiError) {
            return apiError;
        }
        if (error instanceof TimeoutException) {
            return ApiException.upstreamTimeout("engine " + engine + " sent nothing within the timeout");
        }
        if (error instanceof PrematureCloseException) {
            return ApiException.upstreamUnreachable("engine " + engine + " closed the connection");
        }
        return ApiException.upstreamUnreachable("engine " + engine + ": " + describe(error));
    }

    static String describe(Throwable error) {
        String message = error.getMessage();
        return message == null ? error.getClass().getSimpleName() : message;
    }
}
