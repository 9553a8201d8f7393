package dev.prefixrouter.proxy;

import dev.prefixrouter.error.ApiException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import reactor.netty.http.client.PrematureCloseException;

/**
 * What went wrong talking to an engine, and what follows from it: whether another engine may be tried (the retry
 * rules, see {@link ForwardedCall}), whether it counts against the engine, and what the client sees.
 */
final class UpstreamFailures {

    private UpstreamFailures() {
    }

    /** The engine answered 503 or 429 before any body: it ran nothing, another engine may have room. */
    static final class Unavailable extends IOException {
        private final int status;

        Unavailable(String engine, int status) {
            super("engine " + engine + " answered " + status, null);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    /** A streaming request's engine sent no response headers within {@code first-byte-timeout}: it is stuck. */
    static final class FirstByteTimeout extends TimeoutException {
        FirstByteTimeout(String engine) {
            super("engine " + engine + " sent no response headers within router.proxy.first-byte-timeout");
        }
    }

    /** The engine was found stalled while this request waited on it, and the attempt was abandoned. */
    static final class Stalled extends IOException {
        Stalled(String engine) {
            super("engine " + engine + " stalled (router.health-check.stall-timeout)", null);
        }
    }

    /** No connection to the engine could be had: see {@link #poolSaturated}. */
    static final class PoolSaturated extends IOException {
        PoolSaturated(String engine, String why) {
            super("engine " + engine + ": " + why, null);
        }
    }

    /**
     * Whether no connection to the engine could be had: all {@code max-connections-per-backend} busy and the queue
     * for more full, or the wait for one longer than {@code pending-acquire-timeout}. The router's own saturation,
     * not the engine's fault. {@link ConnectionPermits} raises {@link PoolSaturated}; Reactor Netty's pools, should
     * one ever be reached, raise their (shaded) reactor-pool exceptions, named here rather than imported from an
     * internal package.
     */
    static boolean poolSaturated(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof PoolSaturated) {
                return true;
            }
            String name = cause.getClass().getSimpleName();
            if (name.equals("PoolAcquirePendingLimitException") || name.equals("PoolAcquireTimeoutException")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Failures after which the request may go to another engine: connection failures of every kind (refused,
     * reset, closed early), a stalled engine, a stream's missing headers, a 503 or 429. Not the other timeouts
     * (prefill or a whole answer taking too long): that engine may still be working, and a retry would double
     * the load for an answer that is late anyway.
     */
    static boolean retryable(Throwable error) {
        return error instanceof FirstByteTimeout
                || (error instanceof IOException && !(error instanceof TimeoutException));
    }

    /** Whether the failure is the engine's fault, for outlier ejection: everything but the router's own limits. */
    static boolean engineFault(Throwable error, boolean statusCounts) {
        if (poolSaturated(error) || error instanceof ApiException) {
            return false;
        }
        return !(error instanceof Unavailable) || statusCounts;
    }

    static ApiException toApiException(Throwable error, String engine) {
        if (error instanceof ApiException apiError) {
            return apiError;
        }
        if (error instanceof TimeoutException || error instanceof Stalled) {
            return ApiException.upstreamTimeout(describe(error).startsWith("engine ") ? describe(error)
                    : "engine " + engine + " sent nothing within the timeout");
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
