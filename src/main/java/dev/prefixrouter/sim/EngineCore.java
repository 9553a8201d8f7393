package dev.prefixrouter.sim;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The engine without a clock or a thread: arrivals and cancellations come in through an inbox, and a driver
 * turns the crank (drain the inbox, schedule a step, let the step's GPU time pass, complete it). The
 * {@link StepLoop} drives it in scaled real time; tests drive it by hand with a manual clock.
 *
 * <p>Concurrency: {@link #submit}, {@link #cancel}, {@link #cachedPrefixTokens} and {@link #metricsText} may be
 * called from any thread and never block (a lock-free inbox, a concurrent hash index, atomic metrics). Every
 * other method must be called by one driver thread at a time; the scheduler, the block pool's mutable state and
 * the requests are confined to it.
 */
final class EngineCore {

    private final KvCacheModelConfig config;
    private final BlockPool pool;
    private final EngineMetrics metrics = new EngineMetrics();
    private final BatchScheduler scheduler;
    private final KvEventLog events;
    private final Queue<Command> inbox = new ConcurrentLinkedQueue<>();

    EngineCore(KvCacheModelConfig config) {
        this(config, null);
    }

    /** An engine that publishes its KV-cache events through {@code publisher}, or none if it is null. */
    EngineCore(KvCacheModelConfig config, KvEventPublisher publisher) {
        this.config = config;
        this.events = new KvEventLog(publisher, config.blockSize());
        this.pool = new BlockPool(config.numGpuBlocks(), events);
        this.scheduler = new BatchScheduler(config, pool, metrics, events);
        publishState();
    }

    // ---- any thread

    void submit(EngineRequest request) {
        inbox.add(new Command(Kind.SUBMIT, request, null));
    }

    void cancel(EngineRequest request) {
        inbox.add(new Command(Kind.CANCEL, request, null));
    }

    /**
     * Asks the driver to drop the whole prefix cache (vLLM's {@code /reset_prefix_cache}), reported as
     * {@code AllBlocksCleared} in a batch of its own; completes once that batch is queued for publishing.
     */
    CompletableFuture<Void> resetPrefixCache() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        inbox.add(new Command(Kind.RESET, null, done));
        return done;
    }

    /**
     * Asks the driver to behave as a restarted engine process: the prefix cache is forgotten without a word, and
     * the event publisher starts again from sequence 0 with an empty replay buffer on the same ports. Completes
     * once the publisher has bound again. Requests in flight carry on (the simulator does not kill them).
     */
    CompletableFuture<Void> restartEvents() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        inbox.add(new Command(Kind.RESTART, null, done));
        return done;
    }

    boolean hasCommands() {
        return !inbox.isEmpty();
    }

    int cachedPrefixTokens(String prompt) {
        return pool.cachedPrefixBlocks(BlockHasher.fullBlockHashes(prompt, config.blockSize())) * config.blockSize();
    }

    String metricsText(String modelName) {
        return VllmMetricsText.render(modelName, config, metrics);
    }

    /**
     * Fails the submissions still in the inbox. For the submitter's own thread after the driver has shut down:
     * the requests have not reached the scheduler, so only their sinks are touched.
     */
    void failUnreceived(Throwable cause) {
        for (Command command; (command = inbox.poll()) != null; ) {
            switch (command.kind()) {
                case SUBMIT -> command.request().fail(cause);
                case RESET, RESTART -> command.done().completeExceptionally(cause);
                case CANCEL -> { }
            }
        }
    }

    // ---- the driver's thread

    void drainCommands() {
        for (Command command; (command = inbox.poll()) != null; ) {
            switch (command.kind()) {
                case SUBMIT -> scheduler.add(command.request());
                case CANCEL -> scheduler.abort(command.request());
                case RESET -> {
                    pool.clearCache(true);
                    events.flush();
                    command.done().complete(null);
                }
                case RESTART -> restart(command.done());
            }
        }
        publishState();
    }

    private void restart(CompletableFuture<Void> done) {
        pool.clearCache(false);
        events.discard();
        if (events.publisher() == null) {
            done.complete(null);
            return;
        }
        events.publisher().restart().whenComplete((ok, error) -> {
            if (error == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(error);
            }
        });
    }

    boolean hasWork() {
        return scheduler.hasWork();
    }

    /** Schedules the next step; the cache events it caused go out as one batch. */
    StepPlan schedule(double now) {
        StepPlan plan = scheduler.schedule(now);
        events.flush();
        publishState();
        return plan;
    }

    double stepSeconds(StepPlan plan) {
        return plan.seconds(config);
    }

    /** The step's GPU time has passed: account the computed tokens and emit the sampled ones. */
    void complete(StepPlan plan, double now) {
        for (StepPlan.Work work : plan.work()) {
            EngineRequest request = work.request();
            if (request.status != EngineRequest.Status.RUNNING) {
                continue;
            }
            request.computedTokens += work.tokens();
            if (request.computedTokens == request.sequenceLength()) {
                emitToken(request, now);
            }
        }
        publishState();
    }

    /** Fails every request the engine knows of, queued in the inbox or not. */
    void shutdown(Throwable cause) {
        drainCommands();
        scheduler.abortAll().forEach(request -> request.fail(cause));
        publishState();
    }

    private void emitToken(EngineRequest request, double now) {
        int index = request.generatedTokens++;
        if (index == 0) {
            metrics.firstToken(request.promptTokens, now - request.arrivalTime);
        } else {
            metrics.nextToken(now - request.lastTokenTime);
        }
        request.lastTokenTime = now;
        request.emit(new TokenEvent(index, request.promptTokens, request.cachedPromptTokens));
        if (request.generatedTokens == request.maxTokens) {
            scheduler.finish(request);
            metrics.finished(now - request.arrivalTime, request.firstScheduledTime - request.arrivalTime);
            request.complete();
        }
    }

    private void publishState() {
        metrics.publishState(scheduler.numRunning(), scheduler.numWaiting(), pool.usage());
    }

    // ---- for tests

    void checkInvariants() {
        pool.checkInvariants();
        scheduler.checkInvariants();
    }

    BlockPool pool() {
        return pool;
    }

    EngineMetrics metrics() {
        return metrics;
    }

    private enum Kind { SUBMIT, CANCEL, RESET, RESTART }

    /** An inbox entry: a request for {@code SUBMIT} and {@code CANCEL}, a completion for the others. */
    private record Command(Kind kind, EngineRequest request, CompletableFuture<Void> done) {
    }
}
