package dev.prefixrouter.bench;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every knob of the end-to-end benchmark, with its default. Times are <em>engine</em> seconds (what an unscaled
 * engine would experience); the run itself is {@code timeScale} times faster in real time.
 *
 * <p>The defaults are the seed's multi-round QA workload scaled down to a 2-core machine: the seed ran 100 users
 * with 8k–64k-token system prompts and 5 rounds each on 40 GPU engines; here 40 users with 1k–8k-token prompts on
 * 4 simulated engines, so the whole matrix (7 policies × 2 regimes, about 2 minutes each) runs in about 30
 * minutes. A user pauses 3 s on average before each question, which keeps round-robin's fleet busy prefilling
 * (about 60 % of its prefill capacity) without saturating it. The time scale is 5 rather than the 10–20 the
 * simulator allows: the machine is shared, and every real-time stall of the host (or of this JVM) shows up
 * time-scale times longer in engine-time latencies.
 *
 * @param engines              simulated engines (K)
 * @param users                concurrent users; a user who has finished its rounds is replaced by a new one
 * @param rounds               questions per user (R); each answer is appended to the history
 * @param systemTokensMin      shortest system prompt, tokens (4 characters each)
 * @param systemTokensMax      longest system prompt, tokens
 * @param sharedPrompts        distinct system prompts shared by many users
 * @param sharedFraction       share of users whose system prompt is one of the shared ones; the rest are unique
 * @param questionTokensMin    shortest question, tokens
 * @param questionTokensMax    longest question, tokens
 * @param answerTokensMin      shortest answer ({@code max_tokens}), tokens
 * @param answerTokensMax      longest answer, tokens
 * @param thinkSeconds         mean pause of a user before each question, engine seconds (uniform in ±50 %)
 * @param durationSeconds      length of one run, engine seconds; no request starts after it
 * @param warmupSeconds        requests started earlier are not measured, engine seconds
 * @param giveUpSeconds        a user abandons a request that has not ended after this long, engine seconds
 * @param timeScale            engines run this much faster than real time
 * @param jvmWarmupSeconds     a throwaway prefix-aware run of this length first, so that the first measured run
 *                             does not pay for JIT compilation (whose real-time cost the time scale magnifies); 0:
 *                             none
 * @param roomyCapacity        roomy regime: fleet KV capacity / live working set
 * @param pressuredCapacity    pressured regime: fleet KV capacity / live working set
 * @param budgetFraction       forced-eviction run: index budget as a share of the unbounded run's peak
 * @param unboundedBudgetBytes the "unbounded" run's index budget
 * @param seed                 workload seed; every policy sees the same users, prompts and questions
 * @param policies             policies to run, comma-separated ({@link PolicyUnderTest} names)
 * @param regimes              regimes to run, comma-separated ({@code roomy}, {@code pressured})
 * @param output               directory the report is written to
 * @param routerUrl            an external router's API URL; empty: start routers in-process
 * @param managementUrl        the external router's actuator URL, for its index; empty: not sampled
 * @param engineUrls           the external router's engines, comma-separated, for their hit rate; may be empty
 * @param model                model name served by the engines
 * @param routerProperties     extra properties for the in-process routers, comma-separated {@code name=value}
 *                             (e.g. {@code router.routing.prefix.tie-tolerance-chars=1024}), to try a knob
 * @param routerReplicas       in-process routers per run, as {@code k8s/} deploys two: each has its own index and
 *                             is sent a fixed half (third, ...) of every user's rounds, drawn from the user and the
 *                             round so that every policy sees the same split, as a Kubernetes Service spreads
 *                             connections; engines publish their events to every replica
 */
public record BenchParameters(
        int engines,
        int users,
        int rounds,
        int systemTokensMin,
        int systemTokensMax,
        int sharedPrompts,
        double sharedFraction,
        int questionTokensMin,
        int questionTokensMax,
        int answerTokensMin,
        int answerTokensMax,
        double thinkSeconds,
        double durationSeconds,
        double warmupSeconds,
        double giveUpSeconds,
        double timeScale,
        double jvmWarmupSeconds,
        double roomyCapacity,
        double pressuredCapacity,
        double budgetFraction,
        long unboundedBudgetBytes,
        long seed,
        String policies,
        String regimes,
        String output,
        String routerUrl,
        String managementUrl,
        String engineUrls,
        String model,
        String routerProperties,
        int routerReplicas) {

    /** Tokens per KV-cache block, as vLLM and the simulator. */
    public static final int BLOCK_TOKENS = 16;

    public BenchParameters {
        require(engines >= 1, "engines must be at least 1");
        require(users >= 1, "users must be at least 1");
        require(routerReplicas >= 1, "router-replicas must be at least 1");
        require(rounds >= 1, "rounds must be at least 1");
        require(systemTokensMin >= 1 && systemTokensMin <= systemTokensMax, "need 1 <= system-tokens-min <= max");
        require(questionTokensMin >= 1 && questionTokensMin <= questionTokensMax, "need 1 <= question-tokens-min <= max");
        require(answerTokensMin >= 1 && answerTokensMin <= answerTokensMax, "need 1 <= answer-tokens-min <= max");
        require(sharedFraction >= 0 && sharedFraction <= 1, "shared-fraction must be in [0, 1]");
        require(sharedPrompts >= 1 || sharedFraction == 0, "shared-prompts must be at least 1");
        require(thinkSeconds >= 0, "think-seconds must not be negative");
        require(durationSeconds > warmupSeconds && warmupSeconds >= 0, "need 0 <= warmup-seconds < duration-seconds");
        require(giveUpSeconds > 0, "give-up-seconds must be above 0");
        require(timeScale > 0, "time-scale must be above 0");
        require(jvmWarmupSeconds >= 0, "jvm-warmup-seconds must not be negative");
        require(roomyCapacity > 0 && pressuredCapacity > 0, "capacities must be above 0");
        require(budgetFraction > 0 && budgetFraction <= 1, "budget-fraction must be in (0, 1]");
    }

    /** The documented defaults (see the class comment). */
    public static BenchParameters defaults() {
        return new BenchParameters(4, 40, 5, 1000, 8000, 4, 0.2, 20, 60, 50, 150, 3.0, 600, 120, 600, 5, 100, 1.2,
                1 / 1.5, 0.2, 1L << 30, 42, PolicyUnderTest.allNames(), "roomy,pressured", "docs/benchmarks", "", "",
                "", "bench-model", "", 1);
    }

    /** These parameters with {@code --kebab-name=value} arguments applied; unknown names are an error. */
    public BenchParameters with(String... args) {
        Map<String, Object> values = asMap();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("arguments are --name=value, got: " + arg);
            }
            String name = arg.substring(2, arg.indexOf('='));
            String text = arg.substring(arg.indexOf('=') + 1);
            String field = camel(name);
            if (!values.containsKey(field)) {
                throw new IllegalArgumentException("unknown parameter --" + name + "; known: " + values.keySet()
                        .stream().map(BenchParameters::kebab).toList());
            }
            values.put(field, parse(values.get(field), text, name));
        }
        return fromMap(values);
    }

    /** Component name (kebab-case) to value, in declaration order: for the report. */
    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        asMap().forEach((name, value) -> out.put(kebab(name), value));
        return out;
    }

    public List<PolicyUnderTest> policyList() {
        return Arrays.stream(policies.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(PolicyUnderTest::byName).toList();
    }

    public List<String> regimeList() {
        return Arrays.stream(regimes.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** {@link #routerProperties()} as command-line arguments for the router. */
    public List<String> routerArguments() {
        return Arrays.stream(routerProperties.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(property -> "--" + property).toList();
    }

    public boolean external() {
        return !routerUrl.isBlank();
    }

    public Duration real(double engineSeconds) {
        return Duration.ofNanos(Math.round(engineSeconds / timeScale * 1e9));
    }

    // ---- the working set, and the KV cache sized from it

    /**
     * Tokens the live users' KV cache needs once each: the distinct system prompts (shared ones once) plus every
     * live user's conversation so far, averaged over the rounds a user is in.
     */
    public double liveWorkingSetTokens() {
        double meanSystem = (systemTokensMin + systemTokensMax) / 2.0;
        double sharedUsers = users * sharedFraction;
        double distinctSystemPrompts = users - sharedUsers + Math.min(sharedPrompts, sharedUsers);
        double turn = (questionTokensMin + questionTokensMax) / 2.0 + (answerTokensMin + answerTokensMax) / 2.0;
        double meanHistory = (rounds - 1) / 2.0 * turn + (questionTokensMin + questionTokensMax) / 2.0;
        return distinctSystemPrompts * meanSystem + users * meanHistory;
    }

    /** KV blocks per engine such that the fleet holds {@code capacity} times the live working set. */
    public int blocksPerEngine(double capacity) {
        int largestRequest = (systemTokensMax + rounds * (questionTokensMax + answerTokensMax)) / BLOCK_TOKENS + 2;
        int blocks = (int) Math.ceil(capacity * liveWorkingSetTokens() / BLOCK_TOKENS / engines);
        return Math.max(blocks, largestRequest);
    }

    public double capacityOf(String regime) {
        return switch (regime) {
            case "roomy" -> roomyCapacity;
            case "pressured" -> pressuredCapacity;
            default -> throw new IllegalArgumentException("unknown regime " + regime + "; known: roomy, pressured");
        };
    }

    // ---- argument plumbing

    private Map<String, Object> asMap() {
        Map<String, Object> values = new LinkedHashMap<>();
        for (RecordComponent component : BenchParameters.class.getRecordComponents()) {
            try {
                values.put(component.getName(), component.getAccessor().invoke(this));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return values;
    }

    private static BenchParameters fromMap(Map<String, Object> values) {
        RecordComponent[] components = BenchParameters.class.getRecordComponents();
        Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        Object[] args = Arrays.stream(components).map(c -> values.get(c.getName())).toArray();
        try {
            return BenchParameters.class.getDeclaredConstructor(types).newInstance(args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException invalid) {
                throw invalid;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object parse(Object current, String text, String name) {
        try {
            if (current instanceof Integer) {
                return Integer.parseInt(text);
            }
            if (current instanceof Long) {
                return Long.parseLong(text);
            }
            if (current instanceof Double) {
                return Double.parseDouble(text);
            }
            return text;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " needs a number, got: " + text);
        }
    }

    private static String camel(String kebab) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : kebab.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
