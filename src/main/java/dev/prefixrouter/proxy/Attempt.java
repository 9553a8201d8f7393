package dev.prefixrouter.proxy;

import dev.prefixrouter.fleet.Engine;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One try of a request on one engine, as far as a retry decision needs: whether the engine has the whole body,
 * and whether the attempt was abandoned because the engine stalled. While nothing has reached the client the
 * attempt is registered with the engine, so that a stall aborts it: before the response headers by failing
 * {@link #aborted()}, after them by closing the engine connection.
 */
final class Attempt {

    private final Engine engine;
    private final Sinks.Empty<Void> abort = Sinks.empty();
    private final Runnable unregister;
    private volatile boolean written;
    private volatile boolean stalled;
    private volatile UpstreamResponse upstream;
    private ConnectionPermits permit;

    Attempt(Engine engine) {
        this.engine = engine;
        this.unregister = engine.onStall(this::abort);
    }

    Engine engine() {
        return engine;
    }

    /** The attempt holds one of the engine's connection permits until it ends. */
    void holding(ConnectionPermits permits) {
        permit = permits;
    }

    /** The attempt ended: a permit it holds is given back. */
    void releasePermit() {
        ConnectionPermits held = permit;
        permit = null;
        if (held != null) {
            held.release();
        }
    }

    /** The engine has the whole request body. */
    void written() {
        written = true;
    }

    boolean isWritten() {
        return written;
    }

    boolean isStalled() {
        return stalled;
    }

    /** The engine's response headers arrived. */
    void answered(UpstreamResponse response) {
        upstream = response;
    }

    /** Fails with {@link UpstreamFailures.Stalled} if the engine stalls before this attempt is answered. */
    <T> Mono<T> aborted() {
        return abort.asMono().then(Mono.error(() -> new UpstreamFailures.Stalled(engine.id())));
    }

    /** Something reached the client, or the attempt ended: a stall of the engine no longer concerns it. */
    void settled() {
        unregister.run();
    }

    private void abort() {
        stalled = true;
        abort.tryEmitEmpty();
        UpstreamResponse answered = upstream;
        if (answered != null) {
            answered.abort();
        }
    }
}
