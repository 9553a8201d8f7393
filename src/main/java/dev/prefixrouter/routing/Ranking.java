package dev.prefixrouter.routing;

import dev.prefixrouter.fleet.Engine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Orders candidates by a comparator over their positions, for policies that score each candidate once. */
final class Ranking {

    private Ranking() {
    }

    /** The candidates sorted by {@code byPosition}, which compares indexes into {@code candidates} (stable). */
    static List<Engine> of(List<Engine> candidates, Comparator<Integer> byPosition) {
        Integer[] order = new Integer[candidates.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, byPosition);
        List<Engine> ranked = new ArrayList<>(order.length);
        for (int i : order) {
            ranked.add(candidates.get(i));
        }
        return ranked;
    }
}
