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
     * Whether the engine's connection pool had no connection to give: all {@code max-connections-per-backend} busy
     * and the queue for more full, or the wait for one longer than {@code pending-acquire-timeout}. The router's
     * own saturation, not the engine's fault. Reactor Netty raises its (shaded) reactor-pool exceptions, named
     * here rather than imported from an internal package.
     */
    static boolean poolSaturated(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            String name = cause.getClass().getSimpleName();
            if (name.equals("PoolAcquirePendingLimitException") || name.equals("PoolAcquireTimeoutException")) {
                return true;
            }
        }
        return false;
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
