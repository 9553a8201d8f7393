package dev.prefixrouter.routing;

import dev.prefixrouter.fleet.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Cycles through the candidates; the fallbacks are the next ones in the cycle. */
public class RoundRobinPolicy implements RoutingPolicy {

    private final AtomicLong counter = new AtomicLong();

    @Override
    public String name() {
        return "round-robin";
    }

    @Override
    public RoutingDecision route(RoutingRequest request, List<Engine> candidates) {
        int size = candidates.size();
        int start = (int) Math.floorMod(counter.getAndIncrement(), (long) size);
        List<Engine> ranked = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            ranked.add(candidates.get((start + i) % size));
        }
        return RoutingDecision.of(ranked);
    }
}
