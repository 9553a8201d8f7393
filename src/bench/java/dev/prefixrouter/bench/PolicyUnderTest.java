package dev.prefixrouter.bench;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What the benchmark compares: the router with each of its policies, the prefix-aware one twice (an index budget
 * large enough never to evict, and one small enough to evict all the time), and an oracle that needs no router.
 */
public enum PolicyUnderTest {

    ROUND_ROBIN("round-robin", "round-robin"),
    LEAST_LOADED("least-loaded", "least-loaded"),
    SESSION("session", "session"),
    /** Prefix-aware with {@link BenchParameters#unboundedBudgetBytes()}: the index never evicts. */
    PREFIX_AWARE("prefix-aware", "prefix-aware"),
    /** Prefix-aware with a budget of {@link BenchParameters#budgetFraction()} of the unbounded run's peak. */
    PREFIX_AWARE_BOUNDED("prefix-aware-bounded", "prefix-aware"),
    /**
     * Prefix-aware with the engines' own KV-cache events ({@code router.kv-events.enabled}); its engines publish
     * them. Same index budget as the unbounded prefix-aware run.
     */
    PRECISE("precise", "precise"),
    /** Each request straight to the engine that reports the longest cached prefix (ties: fewest in flight). */
    ORACLE("oracle", null);

    private final String label;
    private final String routerPolicy;

    PolicyUnderTest(String label, String routerPolicy) {
        this.label = label;
        this.routerPolicy = routerPolicy;
    }

    public String label() {
        return label;
    }

    /** The router's {@code router.routing.policy}, or {@code null} for the oracle, which runs without a router. */
    public String routerPolicy() {
        return routerPolicy;
    }

    public static PolicyUnderTest byName(String label) {
        return Arrays.stream(values()).filter(p -> p.label.equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown policy " + label + "; known: " + allNames()));
    }

    public static String allNames() {
        return Arrays.stream(values()).map(PolicyUnderTest::label).collect(Collectors.joining(","));
    }
}
