package dev.prefixrouter.routing;

import dev.prefixrouter.backend.Endpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prefers the engine with the fewest requests in flight from this router. Engines with equal load take turns (the
 * rotation is within each group of equals, so an idle engine listed after a busy one is not favoured), so a burst
 * arriving at an idle fleet is spread instead of landing on the first engine.
 */
public class LeastLoadedPolicy implements RoutingPolicy {

    private final AtomicLong counter = new AtomicLong();

    @Override
    public String name() {
        return "least-loaded";
    }

    @Override
    public RoutingDecision route(RoutingRequest request, List<Endpoint> candidates) {
        int size = candidates.size();
        Integer[] order = new Integer[size];
        int[] load = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
            load[i] = candidates.get(i).inFlight();
        }
        Arrays.sort(order, Comparator.comparingInt(i -> load[i]));
        long turn = counter.getAndIncrement();
        List<Endpoint> ranked = new ArrayList<>(size);
        for (int groupStart = 0; groupStart < size; ) {
            int groupEnd = groupStart;
            while (groupEnd < size && load[order[groupEnd]] == load[order[groupStart]]) {
                groupEnd++;
            }
            int groupSize = groupEnd - groupStart;
            int offset = (int) Math.floorMod(turn, (long) groupSize);
            for (int i = 0; i < groupSize; i++) {
                ranked.add(candidates.get(order[groupStart + (offset + i) % groupSize]));
            }
            groupStart = groupEnd;
        }
        return RoutingDecision.of(ranked);
    }
}
