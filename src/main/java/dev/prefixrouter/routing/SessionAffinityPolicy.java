package dev.prefixrouter.routing;

import dev.prefixrouter.fleet.Engine;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Keeps a session on one engine: the session key (the {@code router.routing.session-header}, else the body's
 * {@code user}) is rendezvous-hashed over the candidates, so the session stays put when unrelated engines come and
 * go, and every router replica agrees. The fallbacks, on connect failures, are the next-highest scores. Requests
 * without a session key go to the least-loaded engine.
 */
public class SessionAffinityPolicy implements RoutingPolicy {

    private final RoutingPolicy withoutSession;

    public SessionAffinityPolicy(RoutingPolicy withoutSession) {
        this.withoutSession = withoutSession;
    }

    @Override
    public String name() {
        return "session";
    }

    @Override
    public RoutingDecision route(RoutingRequest request, List<Engine> candidates) {
        if (request.sessionKey() == null || request.sessionKey().isEmpty()) {
            return withoutSession.route(request, candidates);
        }
        long key = Rendezvous.keyHash(request.sessionKey());
        long[] scores = new long[candidates.size()];
        Arrays.setAll(scores, i -> Rendezvous.score(key, candidates.get(i)));
        return RoutingDecision.of(Ranking.of(candidates, Comparator.comparingLong((Integer i) -> scores[i]).reversed()));
    }
}
