package dev.prefixrouter.sim;

import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * An engine model that behaves as vLLM v1 with automatic prefix caching: a paged KV cache with chained block
 * hashes and LRU eviction of unreferenced blocks ({@link BlockPool}), continuous batching with chunked prefill,
 * a FIFO waiting queue and recompute preemption ({@link BatchScheduler}), GPU time per step from
 * {@link KvCacheModelConfig}, and vLLM's own metric names ({@link VllmMetricsText}).
 *
 * <p>So the time to first token is the queue wait plus the prefill of the prompt tokens that are not cached
 * (plus step overheads, and decodes of other requests sharing those steps): a prefix-cache hit genuinely
 * shortens it. All times are engine time (real time multiplied by the time scale).
 *
 * <p>Concurrency: {@link #generate}, {@link #cachedPrefixTokens} and {@link #metricsText} may be called from any
 * thread, including event loops; none blocks. The engine's state is confined to one step thread (a Reactor
 * single-thread scheduler) that {@link #close()} stops. Tokens are emitted on that thread, or on the subscriber's
 * thread when it requests tokens that were already buffered.
 */
public final class KvCacheEngineModel implements EngineModel {

    private final KvCacheModelConfig config;
    private final EngineCore core;
    private final EngineClock clock;
    private final EngineDriver driver;

    /** A model stepping in scaled real time on its own thread. */
    public KvCacheEngineModel(KvCacheModelConfig config) {
        this(config, new EngineCore(Objects.requireNonNull(config, "config")), EngineClock.scaled(config.timeScale()));
    }

    private KvCacheEngineModel(KvCacheModelConfig config, EngineCore core, EngineClock clock) {
        this(config, core, clock,
                new StepLoop(core, clock, config.timeScale(), Schedulers.newSingle("sim-engine", true)));
    }

    private KvCacheEngineModel(KvCacheModelConfig config, EngineCore core, EngineClock clock, EngineDriver driver) {
        this.config = config;
        this.core = core;
        this.clock = clock;
        this.driver = driver;
    }

    /** A model without a thread, stepped by hand through {@link #stepper()} on a manual clock; for tests. */
    static KvCacheEngineModel manual(KvCacheModelConfig config) {
        EngineCore core = new EngineCore(config);
        ManualClock clock = new ManualClock();
        return new KvCacheEngineModel(config, core, clock, new ManualStepper(core, clock));
    }

    public KvCacheModelConfig config() {
        return config;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Fails with {@link IllegalArgumentException} if the prompt and {@code maxTokens} together need more KV
     * cache than the engine has (vLLM refuses such requests up front too), and with
     * {@link IllegalStateException} once the model is closed.
     */
    @Override
    public Flux<TokenEvent> generate(SimRequest request) {
        Objects.requireNonNull(request, "request");
        return Flux.defer(() -> {
            if (driver.isClosed()) {
                return Flux.error(new IllegalStateException("engine model closed"));
            }
            String rejection = rejection(request);
            if (rejection != null) {
                return Flux.error(new IllegalArgumentException(rejection));
            }
            EngineRequest engineRequest = new EngineRequest(request, config.blockSize(), clock.now());
            core.submit(engineRequest);
            driver.wake();
            return engineRequest.events().doOnCancel(() -> {
                core.cancel(engineRequest);
                driver.wake();
            });
        });
    }

    @Override
    public String rejection(SimRequest request) {
        long peakTokens = (long) request.promptTokens() + request.maxTokens() - 1;
        if (peakTokens <= config.capacityTokens()) {
            return null;
        }
        return "a prompt of " + request.promptTokens() + " tokens with max_tokens " + request.maxTokens()
                + " needs " + peakTokens + " tokens of KV cache; this engine holds " + config.capacityTokens();
    }

    /** Leading prompt tokens held as full cached blocks now; reads the cache without touching recency. */
    @Override
    public int cachedPrefixTokens(String prompt) {
        return core.cachedPrefixTokens(Objects.requireNonNull(prompt, "prompt"));
    }

    @Override
    public String metricsText(String modelName) {
        return core.metricsText(Objects.requireNonNull(modelName, "modelName"));
    }

    /** Stops the step thread and fails the requests still in the engine. Does not wait. */
    @Override
    public void close() {
        driver.close();
    }

    // ---- for tests

    ManualStepper stepper() {
        if (driver instanceof ManualStepper stepper) {
            return stepper;
        }
        throw new IllegalStateException("this model steps on its own thread");
    }

    EngineCore core() {
        return core;
    }

    /** The step thread once it has run, or null; for tests. */
    Thread engineThread() {
        return driver instanceof StepLoop loop ? loop.engineThread() : null;
    }
}
