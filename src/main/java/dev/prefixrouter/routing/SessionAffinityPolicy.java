package dev.prefixrouter.routing;

import dev.prefixrouter.backend.Endpoint;
import java.util.ArrayList;
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
    public RoutingDecision route(RoutingRequest request, List<Endpoint> candidates) {
        if (request.sessionKey() == null || request.sessionKey().isEmpty()) {
            return withoutSession.route(request, candidates);
        }
        long key = Rendezvous.keyHash(request.sessionKey());
        int size = candidates.size();
        long[] scores = new long[size];
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            scores[i] = Rendezvous.score(key, candidates.get(i));
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingLong((Integer i) -> scores[i]).reversed());
        List<Endpoint> ranked = new ArrayList<>(size);
        for (int i : order) {
            ranked.add(candidates.get(i));
        }
        return RoutingDecision.of(ranked);
    }
}
