package dev.prefixrouter.bench;

import dev.prefixrouter.prometheus.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs the benchmark matrix: for each regime (roomy, pressured), each policy on a fresh fleet and a fresh router,
 * so caches and the index start cold. Within a regime the unbounded prefix-aware run comes before the bounded one,
 * whose budget is {@code budgetFraction} of the unbounded run's peak. Against an external router it runs the
 * workload once. Progress goes to {@code progress} every few seconds. Blocks its calling thread (the command
 * line's, a test's), never an event loop.
 */
public final class BenchmarkRunner {

    private static final Duration PROGRESS_PERIOD = Duration.ofSeconds(5);
    private static final Duration SAMPLE_PERIOD = Duration.ofMillis(250);

    private final BenchParameters parameters;
    private final Consumer<String> progress;
    private final Workload workload;

    public BenchmarkRunner(BenchParameters parameters, Consumer<String> progress) {
        this.parameters = parameters;
        this.progress = progress;
        this.workload = new Workload(parameters);
    }

    public List<RunResult> run() {
        List<RunResult> results = new ArrayList<>();
        try (ChatClient client = new ChatClient(parameters.real(parameters.giveUpSeconds()))) {
            if (parameters.external()) {
                results.add(external(client));
                return results;
            }
            List<PolicyUnderTest> policies = parameters.policyList().stream().sorted().distinct().toList();
            if (policies.contains(PolicyUnderTest.PREFIX_AWARE_BOUNDED)
                    && !policies.contains(PolicyUnderTest.PREFIX_AWARE)) {
                throw new IllegalArgumentException("prefix-aware-bounded takes its budget from the prefix-aware"
                        + " (unbounded) run: list both");
            }
            if (parameters.jvmWarmupSeconds() > 0) {
                warmUpJvm();
            }
            int total = policies.size() * parameters.regimeList().size();
            for (String regime : parameters.regimeList()) {
                int blocks = parameters.blocksPerEngine(parameters.capacityOf(regime));
                long unboundedPeak = 0;
                for (PolicyUnderTest policy : policies) {
                    long budget = switch (policy) {
                        case ORACLE -> 0;
                        case PREFIX_AWARE_BOUNDED -> Math.max(1024, Math.round(parameters.budgetFraction()
                                * unboundedPeak));
                        default -> parameters.unboundedBudgetBytes();
                    };
                    String name = String.format(Locale.ROOT, "%s %d/%d %s", regime, results.size() + 1, total,
                            policy.label());
                    RunResult result = runOne(client, name, regime, policy, blocks, budget);
                    if (policy == PolicyUnderTest.PREFIX_AWARE) {
                        unboundedPeak = result.indexPeakBytes();
                    }
                    progress.accept(String.format(Locale.ROOT, "[%s] done: %d requests, %d errors, TTFT p50 %.3fs"
                            + " p90 %.3fs, engine hit rate %.1f%%", name, result.requests(), result.errors(),
                            result.ttftP50(), result.ttftP90(), 100 * result.engineHitRate()));
                    results.add(result);
                }
            }
        }
        return results;
    }

    /** A short prefix-aware run whose results are dropped: JIT compilation happens here, not in a measured run. */
    private void warmUpJvm() {
        progress.accept("JVM warm-up run (not measured)");
        new BenchmarkRunner(parameters.with("--policies=prefix-aware", "--regimes=roomy", "--jvm-warmup-seconds=0",
                "--duration-seconds=" + parameters.jvmWarmupSeconds(),
                "--warmup-seconds=" + parameters.jvmWarmupSeconds() / 4), line -> { }).run();
    }

    private RunResult runOne(ChatClient client, String name, String regime, PolicyUnderTest policy, int blocks,
            long budget) {
        progress.accept(String.format(Locale.ROOT, "[%s] starting: %d engines x %d KV blocks%s", name,
                parameters.engines(), blocks, budget > 0 ? ", index budget " + budget + " B" : ", no router"));
        try (EngineFleet fleet = new EngineFleet(parameters, blocks, policy == PolicyUnderTest.PRECISE)) {
            if (policy.routerPolicy() == null) {
                return measure(client, name, regime, policy, blocks, 0, new OracleTarget(client, fleet.urls()),
                        null, fleet.urls());
            }
            List<String> routerArguments = new ArrayList<>(fleet.kvEventsArguments());
            routerArguments.addAll(parameters.routerArguments()); // last, so that they win
            List<RouterInstance> routers = new ArrayList<>();
            try {
                for (int i = 0; i < parameters.routerReplicas(); i++) {
                    routers.add(new RouterInstance(policy.routerPolicy(), budget, blocks, fleet.urls(),
                            parameters.model(), routerArguments));
                }
                // The index sampled is the first replica's: each holds what it routed.
                RunResult result = measure(client, name, regime, policy, blocks, budget,
                        ChatTarget.routers(client, routers.stream().map(RouterInstance::apiUrl).toList()),
                        routers.get(0).managementUrl(), fleet.urls());
                for (int i = 0; i < routers.size(); i++) {
                    String tokenizer = routers.get(i).tokenizerSummary();
                    if (tokenizer != null) {
                        progress.accept("[" + name + "] " + (routers.size() > 1 ? "replica " + i + ": " : "")
                                + tokenizer);
                    }
                }
                return result;
            } finally {
                routers.forEach(RouterInstance::close);
            }
        }
    }

    private RunResult external(ChatClient client) {
        List<String> engines = parameters.engineUrls().isBlank() ? List.of()
                : List.of(parameters.engineUrls().split(","));
        String management = parameters.managementUrl().isBlank() ? null : parameters.managementUrl();
        return measure(client, "external", "external", PolicyUnderTest.PREFIX_AWARE, 0, 0,
                ChatTarget.router(client, parameters.routerUrl()), management, engines);
    }

    private RunResult measure(ChatClient client, String name, String regime, PolicyUnderTest policy, int blocks,
            long budget, ChatTarget target, String managementUrl, List<String> engineUrls) {
        ConcurrentLinkedQueue<RequestResult> results = new ConcurrentLinkedQueue<>();
        long gcBefore = gcMillis();
        long origin = System.nanoTime();
        UserDriver driver = new UserDriver(parameters, workload, target, origin, results::add);
        IndexSampler sampler = managementUrl == null ? null
                : new IndexSampler(client, managementUrl, SAMPLE_PERIOD, driver::engineSeconds);
        CompletableFuture<EngineCounters> atWarmup = reactor.core.publisher.Mono
                .delay(parameters.real(parameters.warmupSeconds()))
                .then(EngineCounters.scrape(client, engineUrls)).toFuture();
        CompletableFuture<Void> finished = driver.run().toFuture();
        awaitWithProgress(finished, name, driver, sampler);
        double realSeconds = (System.nanoTime() - origin) / 1e9;
        EngineCounters atEnd = EngineCounters.scrape(client, engineUrls).block(Duration.ofSeconds(30));
        List<IndexSampler.Sample> index = sampler == null ? List.of()
                : sampler.finish(client, managementUrl, driver::engineSeconds);
        EngineCounters warm = atWarmup.getNow(null);
        if (warm == null) {
            throw new IllegalStateException("the run ended before its warm-up did; raise duration-seconds");
        }
        return RunStatistics.summarize(parameters, new RunStatistics.Raw(regime, policy, blocks, budget,
                new ArrayList<>(results), warm, atEnd, index, origin, driver.usersStarted(), realSeconds,
                gcMillis() - gcBefore));
    }

    private static long gcMillis() {
        return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(gc -> Math.max(0, gc.getCollectionTime())).sum();
    }

    private void awaitWithProgress(CompletableFuture<Void> finished, String name, UserDriver driver,
            IndexSampler sampler) {
        long start = System.nanoTime();
        while (true) {
            try {
                finished.get(PROGRESS_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException stillRunning) {
                double engine = driver.engineSeconds(System.nanoTime());
                progress.accept(String.format(Locale.ROOT,
                        "[%s] %4.0fs real, engine %5.0f/%.0fs, %6d requests done, %d errors, %d in flight%s", name,
                        (System.nanoTime() - start) / 1e9, Math.min(engine, parameters.durationSeconds()),
                        parameters.durationSeconds(), driver.requestsDone(), driver.errors(), driver.inFlight(),
                        sampler == null ? "" : ", index " + sampler.latestBytes() / 1024 + " KiB"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("run " + name + " failed", e.getCause());
            }
        }
    }
}
