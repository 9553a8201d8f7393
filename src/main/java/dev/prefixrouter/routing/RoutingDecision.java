package dev.prefixrouter.routing;

import dev.prefixrouter.fleet.Engine;
import java.util.List;
import java.util.function.ObjLongConsumer;

/**
 * A policy's answer for one request: the candidates ranked best-first, and callbacks through which the proxy
 * reports what happened to each attempt, so that stateful policies (the prefix index, queued prefill work) record
 * only what really happened. For every engine the proxy tries it calls {@link #attempting}, then at most one of
 * {@link #attemptFailed} (retried elsewhere) or {@link #responding}, then {@link #finished}.
 */
public interface RoutingDecision {

    /** Candidates best-first; the proxy walks this list on connect failures. Never empty. */
    List<Engine> ranked();

    /** The proxy is about to send the request to this engine. */
    default void attempting(Engine engine) {
    }

    /** The attempt failed before any response byte reached the client; the next engine will be tried. */
    default void attemptFailed(Engine engine) {
    }

    /** The first response body byte arrived from this engine (for generation: its prefill is done). */
    default void responding(Engine engine) {
    }

    /** The attempt ended: completed, failed, or cancelled by the client. */
    default void finished(Engine engine) {
    }

    /**
     * What the policy weighed for the engine it ranked first, as named numbers for the request's trace (e.g.
     * prefix-aware's {@code router.prefix.matched_chars} and {@code router.prefix.cost_chars}); none by default.
     */
    default void explain(ObjLongConsumer<String> attribute) {
    }

    /** A decision with no bookkeeping. */
    static RoutingDecision of(List<Engine> ranked) {
        List<Engine> copy = List.copyOf(ranked);
        return () -> copy;
    }
}
