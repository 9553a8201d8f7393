package dev.prefixrouter.proxy;

import reactor.netty.Connection;
import reactor.netty.http.client.HttpClientResponse;

/**
 * An engine's response whose status and headers have arrived and whose body is still on the connection. Whoever
 * holds it must consume the body (the connection then returns to the pool) or {@link #dispose()} it.
 */
record UpstreamResponse(HttpClientResponse response, Connection connection) {

    int status() {
        return response.status().code();
    }

    /** Closes the connection now, whatever state the exchange is in: the relay waiting on it fails. */
    void abort() {
        connection.channel().close();
    }

    /** Closes the connection, abandoning the body: the engine sees the request cancelled. */
    void dispose() {
        if (!connection.isDisposed()) {
            connection.dispose();
        }
    }
}
