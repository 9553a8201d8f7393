package dev.prefixrouter.routing;

import dev.prefixrouter.backend.Endpoint;
import java.util.List;

/**
 * A policy's answer for one request: the candidates ranked best-first, and callbacks through which the proxy
 * reports what happened to each attempt, so that stateful policies (the prefix index, queued prefill work) record
 * only what really happened. For every endpoint the proxy tries it calls {@link #attempting}, then at most one of
 * {@link #attemptFailed} (retried elsewhere) or {@link #responding}, then {@link #finished}.
 */
public interface RoutingDecision {

    /** Candidates best-first; the proxy walks this list on connect failures. Never empty. */
    List<Endpoint> ranked();

    /** The proxy is about to send the request to this endpoint. */
    default void attempting(Endpoint endpoint) {
    }

    /** The attempt failed before any response byte reached the client; the next endpoint will be tried. */
    default void attemptFailed(Endpoint endpoint) {
    }

    /** The first response body byte arrived from this endpoint (for generation: its prefill is done). */
    default void responding(Endpoint endpoint) {
    }

    /** The attempt ended: completed, failed, or cancelled by the client. */
    default void finished(Endpoint endpoint) {
    }

    /** A decision with no bookkeeping. */
    static RoutingDecision of(List<Endpoint> ranked) {
        List<Endpoint> copy = List.copyOf(ranked);
        return () -> copy;
    }
}
