package dev.prefixrouter.bench;

import dev.prefixrouter.PrefixRouterApplication;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.stats.EngineStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Flux;

/**
 * A fresh router in this process, on loopback ports of its own, in front of one run's engines. Every property the
 * benchmark relies on is passed explicitly, so an {@code application.yml} in the working directory changes nothing
 * that matters: the policy, the index budget, fast health checks and metric scrapes (so the router learns the
 * engines' KV capacity within a fraction of a second), the actuator endpoints the benchmark reads, and a shutdown
 * without grace period between runs.
 */
final class RouterInstance implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final String apiUrl;
    private final String managementUrl;

    RouterInstance(String policy, long budgetBytes, int numGpuBlocks, List<String> engineUrls, String model,
            List<String> extraArguments) {
        List<String> args = new ArrayList<>(List.of(
                "--server.address=127.0.0.1", "--server.port=0",
                "--management.server.address=127.0.0.1", "--management.server.port=0",
                "--management.endpoints.web.exposure.include=health,prometheus,hashtrie,backends",
                "--server.shutdown=immediate", "--router.shutdown.grace-period=0s",
                "--spring.main.banner-mode=off", "--logging.level.root=WARN",
                "--router.discovery.type=static",
                "--router.routing.policy=" + policy,
                "--router.routing.session-header=x-session-id",
                "--router.hashtrie.max-memory=" + budgetBytes + "B",
                "--router.hashtrie.chunk-size=128",
                "--router.hashtrie.eviction-threshold=0.9", "--router.hashtrie.target-utilization=0.8",
                "--router.hashtrie.memory-check-interval=100ms",
                // What the engines' vllm:cache_config_info will say, in prompt characters, for before the first scrape.
                "--router.hashtrie.endpoint-cache-capacity="
                        + (long) numGpuBlocks * BenchParameters.BLOCK_TOKENS * EngineStats.CHARS_PER_TOKEN,
                "--router.health-check.interval=200ms",
                "--router.engine-stats.enabled=true", "--router.engine-stats.interval=200ms",
                "--router.engine-stats.max-age=5s",
                "--router.outlier-ejection.enabled=true",
                "--router.proxy.response-timeout=5m", "--router.proxy.idle-timeout=60s"));
        for (int i = 0; i < engineUrls.size(); i++) {
            args.add("--router.backends[" + i + "].id=engine-" + i);
            args.add("--router.backends[" + i + "].url=" + engineUrls.get(i));
            args.add("--router.backends[" + i + "].models[0]=" + model);
        }
        args.addAll(extraArguments); // last, so that they win
        context = new SpringApplicationBuilder(PrefixRouterApplication.class).run(args.toArray(String[]::new));
        try {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            apiUrl = "http://127.0.0.1:" + port;
            managementUrl = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.management.port");
            awaitHealthy(engineUrls.size());
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    String apiUrl() {
        return apiUrl;
    }

    String managementUrl() {
        return managementUrl;
    }

    /**
     * What tokenizing cost the precise policy so far (real time: each millisecond shows as time-scale milliseconds
     * in the engine-time TTFT), for the log; {@code null} if the router never asked for tokens.
     */
    String tokenizerSummary() {
        MeterRegistry registry = context.getBean(MeterRegistry.class);
        Timer latency = registry.find("router.kv.tokenizer.latency").timer();
        if (latency == null || latency.count() == 0) {
            return null;
        }
        double fallbacks = registry.find("router.kv.tokenizer.fallbacks").counters().stream()
                .mapToDouble(Counter::count).sum();
        return String.format(Locale.ROOT, "tokenizer: %d answers, mean %.2f ms real (recent max %.1f ms);"
                + " requests: %.0f waited for it, %.0f cached whole, %.0f routed by earlier turns (whole prompt"
                + " tokenized after: %.0f, skipped %.0f); %.0f fallbacks", latency.count(),
                latency.mean(TimeUnit.MILLISECONDS), latency.max(TimeUnit.MILLISECONDS),
                count(registry, "router.kv.tokenizer.cache.requests", "miss"),
                count(registry, "router.kv.tokenizer.cache.requests", "hit"),
                count(registry, "router.kv.tokenizer.cache.requests", "earlier_turns"),
                count(registry, "router.kv.tokenizer.refreshes", "cached"),
                count(registry, "router.kv.tokenizer.refreshes", "skipped"), fallbacks);
    }

    private static double count(MeterRegistry registry, String name, String result) {
        return registry.find(name).tag("result", result).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** Waits (this thread, not an event loop) until the router has found every engine healthy. */
    private void awaitHealthy(int engines) {
        Fleet fleet = context.getBean(Fleet.class);
        Flux.interval(Duration.ZERO, Duration.ofMillis(50))
                .filter(tick -> fleet.healthyCount() == engines)
                .next()
                .timeout(Duration.ofSeconds(30))
                .block();
    }

    @Override
    public void close() {
        context.close();
    }
}
