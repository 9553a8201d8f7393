package dev.prefixrouter.routing;

import dev.prefixrouter.fleet.Engine;
import java.util.List;
import reactor.core.publisher.Mono;

/** Chooses where a request goes: ranks the healthy engines serving its model. Called on event-loop threads. */
public interface RoutingPolicy {

    /** The name operators select it by with {@code router.routing.policy}. */
    String name();

    /** @param candidates healthy engines serving the request's model, never empty */
    RoutingDecision route(RoutingRequest request, List<Engine> candidates);

    /** Whether {@link #prepare} has work to do; the proxy skips the step for policies that have none. */
    default boolean prepares() {
        return false;
    }

    /**
     * Asynchronous work before {@link #route}, e.g. tokenizing the prompt as the engines do. Never fails: what
     * cannot be prepared in time is routed without it.
     */
    default Mono<RoutingRequest> prepare(RoutingRequest request, List<Engine> candidates) {
        return Mono.just(request);
    }
}
