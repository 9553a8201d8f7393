package dev.prefixrouter.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The targets, checked against one regime's runs measured side by side. "Within x %" is relative:
 * prefix-aware's hit rate at least (1 − x) times the reference's.
 */
public final class Targets {

    /** One target in one regime: what was measured and whether it was met; {@code met} is null if not measurable. */
    public record Check(String target, String regime, String measured, Boolean met) {
    }

    private Targets() {
    }

    public static List<Check> check(String regime, List<RunResult> runs) {
        Optional<RunResult> roundRobin = find(runs, regime, PolicyUnderTest.ROUND_ROBIN);
        Optional<RunResult> prefix = find(runs, regime, PolicyUnderTest.PREFIX_AWARE);
        Optional<RunResult> bounded = find(runs, regime, PolicyUnderTest.PREFIX_AWARE_BOUNDED);
        Optional<RunResult> oracle = find(runs, regime, PolicyUnderTest.ORACLE);
        double oracleTolerance = regime.equals("roomy") ? 0.05 : 0.10;
        List<Check> checks = new ArrayList<>();
        checks.add(ratio("prefix-aware TTFT p50 at least 3x better than round-robin", regime, roundRobin, prefix,
                RunResult::ttftP50, 3));
        checks.add(ratio("prefix-aware TTFT p90 at least 5x better than round-robin", regime, roundRobin, prefix,
                RunResult::ttftP90, 5));
        checks.add(within(String.format(Locale.ROOT, "prefix-aware engine hit rate within %.0f %% of the oracle's",
                100 * oracleTolerance), regime, prefix, oracle, oracleTolerance));
        checks.add(within("bounded index (20 % of unbounded peak): hit rate within 5 % of unbounded", regime, bounded,
                prefix, 0.05));
        checks.add(bounded.map(b -> new Check("bounded index: availability 100 %", regime,
                        String.format(Locale.ROOT, "%.2f %% (%d of %d failed)", 100 * b.availability(), b.errors(),
                                b.requests()), b.errors() == 0 && b.requests() > 0))
                .orElse(new Check("bounded index: availability 100 %", regime, "not run", null)));
        checks.add(bounded.map(b -> new Check("bounded index: accounted bytes never above the budget", regime,
                        "peak " + Format.bytes(b.indexPeakBytes()) + " of " + Format.bytes(b.budgetBytes()) + ", "
                                + b.indexEvictedNodes() + " nodes evicted",
                        b.indexPeakBytes() <= b.budgetBytes()))
                .orElse(new Check("bounded index: accounted bytes never above the budget", regime, "not run", null)));
        Optional<RunResult> precise = find(runs, regime, PolicyUnderTest.PRECISE);
        if (precise.isPresent()) {
            checks.add(within("precise (KV events) engine hit rate at least 0.95x the oracle's", regime, precise,
                    oracle, 0.05));
            if (regime.equals("roomy")) {
                checks.add(notWorse("precise TTFT p50 no worse than prefix-aware's (within 5 %)", regime, prefix,
                        precise, RunResult::ttftP50, 1.05));
                checks.add(notWorse("precise TTFT p90 no worse than prefix-aware's (within 5 %)", regime, prefix,
                        precise, RunResult::ttftP90, 1.05));
            } else {
                checks.add(notWorse("precise TTFT p50 better than prefix-aware's", regime, prefix, precise,
                        RunResult::ttftP50, 1.0));
                checks.add(notWorse("precise TTFT p90 better than prefix-aware's", regime, prefix, precise,
                        RunResult::ttftP90, 1.0));
            }
        }
        return checks;
    }

    /** Met when {@code candidate}'s metric is below {@code slack} times the reference's (strictly, for slack 1). */
    private static Check notWorse(String target, String regime, Optional<RunResult> reference,
            Optional<RunResult> candidate, java.util.function.ToDoubleFunction<RunResult> metric, double slack) {
        if (reference.isEmpty() || candidate.isEmpty()) {
            return new Check(target, regime, "not run", null);
        }
        double r = metric.applyAsDouble(reference.get());
        double c = metric.applyAsDouble(candidate.get());
        boolean met = slack == 1.0 ? c < r : c <= r * slack;
        return new Check(target, regime, String.format(Locale.ROOT, "%s vs %s (%.2fx)", Format.seconds(c),
                Format.seconds(r), c / r), met);
    }

    private static Check ratio(String target, String regime, Optional<RunResult> slow, Optional<RunResult> fast,
            java.util.function.ToDoubleFunction<RunResult> metric, double factor) {
        if (slow.isEmpty() || fast.isEmpty()) {
            return new Check(target, regime, "not run", null);
        }
        double a = metric.applyAsDouble(slow.get());
        double b = metric.applyAsDouble(fast.get());
        double times = a / b;
        return new Check(target, regime, String.format(Locale.ROOT, "%.1fx (%s vs %s)", times, Format.seconds(a),
                Format.seconds(b)), times >= factor);
    }

    private static Check within(String target, String regime, Optional<RunResult> candidate,
            Optional<RunResult> reference, double tolerance) {
        if (candidate.isEmpty() || reference.isEmpty()) {
            return new Check(target, regime, "not run", null);
        }
        double c = candidate.get().engineHitRate();
        double r = reference.get().engineHitRate();
        double relative = (c - r) / r;
        return new Check(target, regime, String.format(Locale.ROOT, "%s vs %s (%+.1f %%)", Format.percent(c),
                Format.percent(r), 100 * relative), relative >= -tolerance);
    }

    static Optional<RunResult> find(List<RunResult> runs, String regime, PolicyUnderTest policy) {
        return runs.stream().filter(r -> r.regime().equals(regime) && r.policy().equals(policy.label())).findFirst();
    }
}
