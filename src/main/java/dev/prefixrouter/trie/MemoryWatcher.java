package dev.prefixrouter.trie;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import lombok.extern.slf4j.Slf4j;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Keeps the prefix index under its budget smoothly, on its own thread: every {@code memory-check-interval} it
 * sweeps the credits of slots that were released, and, above {@code eviction-threshold} of
 * {@code max-memory}, evicts least-recently-used leaves down to {@code target-utilization} in batches of
 * {@code eviction-batch} nodes, each its own short lock hold, so routing never waits for more than one batch. (The
 * index also evicts on insert when a burst would cross the budget between runs.) Each eviction run is logged with
 * the heap in use after the last garbage collection, the figure that shows whether the budget fits the heap.
 * All of its work, operators' requests included, runs on its single thread.
 */
@Slf4j
@Component
public class MemoryWatcher implements SmartLifecycle {

    private static final int SWEEP_BATCH = 10_000;

    private final HashTrie trie;
    private final HashTrieConfig config;
    private final Scheduler scheduler = Schedulers.newSingle("hashtrie-watcher", true);
    private volatile Disposable schedule;
    private volatile RunStats lastRun = new RunStats(0, 0, 0, Duration.ZERO);
    private volatile long runs;

    /**
     * One eviction run.
     *
     * @param nodes    nodes evicted
     * @param bytes    accounted bytes freed
     * @param batches  lock holds it took
     * @param duration wall time of the whole run
     */
    public record RunStats(long nodes, long bytes, int batches, Duration duration) {
    }

    public MemoryWatcher(HashTrie trie, HashTrieConfig config) {
        this.trie = trie;
        this.config = config;
    }

    @Override
    public void start() {
        long period = config.memoryCheckInterval().toNanos();
        schedule = scheduler.schedulePeriodically(this::check, period, period, TimeUnit.NANOSECONDS);
    }

    @Override
    public void stop() {
        Disposable running = schedule;
        if (running != null) {
            running.dispose();
        }
        scheduler.dispose();
    }

    @Override
    public boolean isRunning() {
        Disposable running = schedule;
        return running != null && !running.isDisposed();
    }

    /** Eviction runs so far (runs that found the index below the threshold are not counted). */
    public long runs() {
        return runs;
    }

    public RunStats lastRun() {
        return lastRun;
    }

    private void check() {
        try {
            while (trie.maintain(SWEEP_BATCH) == SWEEP_BATCH) {
                Thread.onSpinWait();
            }
            long budget = trie.maxMemoryBytes();
            if (trie.stats().accountedBytes() > (long) (config.evictionThreshold() * budget)) {
                evictTo(config.targetUtilization());
            }
        } catch (RuntimeException e) {
            log.error("prefix index maintenance failed; it will run again in {}", config.memoryCheckInterval(), e);
        }
    }

    /** Evicts on the watcher's thread down to {@code utilization} of the budget (an operator's request). */
    public Mono<RunStats> requestEviction(double utilization) {
        if (!(utilization >= 0 && utilization <= 1)) {
            return Mono.error(new IllegalArgumentException("utilization must be in [0, 1], was " + utilization));
        }
        return Mono.fromCallable(() -> evictTo(utilization)).subscribeOn(scheduler);
    }

    /** Forgets every prefix, on the watcher's thread. */
    public Mono<Void> requestClear() {
        return Mono.<Void>fromRunnable(() -> {
            trie.clear();
            log.info("prefix index cleared on request");
        }).subscribeOn(scheduler);
    }

    /** Evicts LRU leaves in batches until accounted bytes are at most {@code utilization} of the budget. */
    private RunStats evictTo(double utilization) {
        long start = System.nanoTime();
        long target = (long) (utilization * trie.maxMemoryBytes());
        long before = trie.stats().accountedBytes();
        long nodes = 0;
        int batches = 0;
        int evicted;
        do {
            evicted = trie.evict(target, config.evictionBatch());
            nodes += evicted;
            batches++;
        } while (evicted == config.evictionBatch());
        long after = trie.stats().accountedBytes();
        RunStats run = new RunStats(nodes, before - after, batches, Duration.ofNanos(System.nanoTime() - start));
        lastRun = run;
        runs++;
        log.info("prefix index eviction: {} nodes, {} bytes freed in {} batches, {} ms; now {} of {} bytes;"
                        + " heap after last GC {} MB", nodes, run.bytes(), batches,
                run.duration().toNanos() / 1_000_000.0, after, trie.maxMemoryBytes(), heapAfterGcMegabytes());
        return run;
    }

    private static long heapAfterGcMegabytes() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage afterGc = pool.getCollectionUsage();
            if (pool.getType() == MemoryType.HEAP && afterGc != null) {
                used += afterGc.getUsed();
            }
        }
        return used / (1024 * 1024);
    }
}
