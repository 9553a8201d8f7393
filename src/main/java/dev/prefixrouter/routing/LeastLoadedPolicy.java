package dev.prefixrouter.routing;

import dev.prefixrouter.fleet.Engine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;

/**
 * Prefers the engine with the fewest requests queued or running ({@link EngineLoad}: this router's in-flight
 * count, or the engine's own report when larger and fresh). Engines with equal load take turns (the rotation is
 * within each group of equals, so an idle engine listed after a busy one is not favoured), so a burst arriving at
 * an idle fleet is spread instead of landing on the first engine.
 */
public class LeastLoadedPolicy implements RoutingPolicy {

    private final AtomicLong counter = new AtomicLong();
    private final ToIntFunction<Engine> load;

    /** @param load how busy an engine is; {@link EngineLoad#requests} in the application */
    public LeastLoadedPolicy(ToIntFunction<Engine> load) {
        this.load = load;
    }

    @Override
    public String name() {
        return "least-loaded";
    }

    @Override
    public RoutingDecision route(RoutingRequest request, List<Engine> candidates) {
        int size = candidates.size();
        Integer[] order = new Integer[size];
        int[] load = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
            load[i] = this.load.applyAsInt(candidates.get(i));
        }
        Arrays.sort(order, Comparator.comparingInt(i -> load[i]));
        long turn = counter.getAndIncrement();
        List<Engine> ranked = new ArrayList<>(size);
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
