package dev.prefixrouter.routing;

import dev.prefixrouter.fleet.Engine;
import java.util.List;

/** Chooses where a request goes: ranks the healthy engines serving its model. Called on event-loop threads. */
public interface RoutingPolicy {

    /** The name operators select it by with {@code router.routing.policy}. */
    String name();

    /** @param candidates healthy engines serving the request's model, never empty */
    RoutingDecision route(RoutingRequest request, List<Engine> candidates);
}
