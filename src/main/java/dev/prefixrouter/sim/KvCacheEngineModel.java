package dev.prefixrouter.sim;

import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
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
 *
 * <p>KV-cache events: built with a {@link KvEventsConfig}, the model publishes vLLM's {@code BlockStored},
 * {@code BlockRemoved} and {@code AllBlocksCleared} over ZMQ as its cache changes (one batch per engine step),
 * with a replay socket; {@link #restartKvEvents()} simulates an engine restart for subscribers.
 */
public final class KvCacheEngineModel implements EngineModel {

    private final KvCacheModelConfig config;
    private final EngineCore core;
    private final EngineClock clock;
    private final EngineDriver driver;
    private final KvEventPublisher publisher;

    /** A model stepping in scaled real time on its own thread, publishing no events. */
    public KvCacheEngineModel(KvCacheModelConfig config) {
        this(config, (KvEventPublisher) null);
    }

    /**
     * A model stepping in scaled real time on its own thread that publishes its KV-cache events as {@code events}
     * says. Binds both sockets now: fails with {@link IllegalStateException} if a port stays busy.
     */
    public KvCacheEngineModel(KvCacheModelConfig config, KvEventsConfig events) {
        this(config, new KvEventPublisher(Objects.requireNonNull(events, "events")));
    }

    private KvCacheEngineModel(KvCacheModelConfig config, KvEventPublisher publisher) {
        this(config, new EngineCore(Objects.requireNonNull(config, "config"), publisher),
                EngineClock.scaled(config.timeScale()), publisher);
    }

    private KvCacheEngineModel(KvCacheModelConfig config, EngineCore core, EngineClock clock,
            KvEventPublisher publisher) {
        this(config, core, clock,
                new StepLoop(core, clock, config.timeScale(), Schedulers.newSingle("sim-engine", true)), publisher);
    }

    private KvCacheEngineModel(KvCacheModelConfig config, EngineCore core, EngineClock clock, EngineDriver driver,
            KvEventPublisher publisher) {
        this.config = config;
        this.core = core;
        this.clock = clock;
        this.driver = driver;
        this.publisher = publisher;
    }

    /** A model without a thread, stepped by hand through {@link #stepper()} on a manual clock; for tests. */
    static KvCacheEngineModel manual(KvCacheModelConfig config) {
        return manual(config, null);
    }

    /** As {@link #manual(KvCacheModelConfig)}, publishing events if {@code events} is not null; for tests. */
    static KvCacheEngineModel manual(KvCacheModelConfig config, KvEventsConfig events) {
        KvEventPublisher publisher = events == null ? null : new KvEventPublisher(events);
        EngineCore core = new EngineCore(config, publisher);
        ManualClock clock = new ManualClock();
        return new KvCacheEngineModel(config, core, clock, new ManualStepper(core, clock), publisher);
    }

    public KvCacheModelConfig config() {
        return config;
    }

    /** Where this engine publishes its KV-cache events, or {@code null} if it does not. */
    public KvEventsConfig kvEvents() {
        return publisher == null ? null : publisher.config();
    }

    /**
     * Simulates an engine restart as subscribers see it: the prefix cache is forgotten without an event, the
     * publisher closes both sockets and binds again on the same ports with the sequence back at 0 and an empty
     * replay buffer. The Mono completes once the sockets are bound again (engine requests in flight carry on).
     */
    public Mono<Void> restartKvEvents() {
        if (publisher == null) {
            return Mono.error(new IllegalStateException("this engine publishes no KV-cache events"));
        }
        return Mono.defer(() -> {
            var done = core.restartEvents();
            driver.wake();
            return Mono.fromFuture(done);
        });
    }

    /**
     * Sends the next {@code batches} event batches to the replay buffer only, not on the PUB socket: lost messages
     * that a subscriber must notice by the sequence gap and replay.
     */
    public void loseNextKvEventBatches(int batches) {
        if (publisher == null) {
            throw new IllegalStateException("this engine publishes no KV-cache events");
        }
        publisher.loseNext(batches);
    }

    /** Event batches published (or deliberately lost) since the last start; 0 without events. */
    public long kvEventBatchesPublished() {
        return publisher == null ? 0 : publisher.publishedBatches();
    }

    /** Event batches dropped because the publisher fell behind; 0 without events. */
    public long kvEventBatchesDropped() {
        return publisher == null ? 0 : publisher.droppedBatches();
    }

    /** Replay requests answered; 0 without events. */
    public long kvEventReplaysServed() {
        return publisher == null ? 0 : publisher.replaysServed();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Drops every cached block (vLLM's {@code /reset_prefix_cache}) on the step thread and reports
     * {@code AllBlocksCleared}; completes once the event is queued for publishing.
     */
    @Override
    public Mono<Void> resetPrefixCache() {
        return Mono.defer(() -> {
            if (driver.isClosed()) {
                return Mono.error(new IllegalStateException("engine model closed"));
            }
            var done = core.resetPrefixCache();
            driver.wake();
            return Mono.fromFuture(done);
        });
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

    /** Stops the step thread and fails the requests still in the engine; closes the event sockets. */
    @Override
    public void close() {
        driver.close();
        if (publisher != null) {
            publisher.close();
        }
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
