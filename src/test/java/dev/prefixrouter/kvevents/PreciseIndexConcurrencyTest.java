package dev.prefixrouter.kvevents;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Readers on several threads ask and speculate while one writer thread per engine applies stored, removed and
 * cleared events, under a budget small enough to evict all the time. The budget and every invariant hold; the
 * readers' answers stay in range. Bounded work, no sleeps, no timing assertions.
 */
class PreciseIndexConcurrencyTest {

    private static final int BS = 4;
    private static final int ENGINES = 3;
    private static final int READERS = 3;
    private static final int BATCHES = 3_000;
    private static final long BUDGET = 64 * 1024;

    @Test
    void theBudgetAndInvariantsHoldWhileReadersAndWritersRunAtOnce() throws Exception {
        PreciseIndex index = new PreciseIndex(BUDGET, Duration.ofMillis(50));
        EventApplier applier = new EventApplier(index, BS, Duration.ofSeconds(10));
        int[][] prompts = new int[32][];
        SplittableRandom random = new SplittableRandom(7);
        for (int p = 0; p < prompts.length; p++) {
            prompts[p] = random.ints(BS * (1 + random.nextInt(40)), 0, 50).toArray();
        }
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(ENGINES + READERS);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int e = 0; e < ENGINES; e++) {
                String engine = "engine-" + e;
                long seed = e;
                writers.add(pool.submit(() -> write(applier, engine, prompts, new SplittableRandom(seed))));
            }
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                SplittableRandom readerRandom = new SplittableRandom(100 + r);
                readers.add(pool.submit(() -> {
                    String[] engines = {"engine-0", "engine-1", "engine-2"};
                    while (writing.get()) {
                        long[] keys = BlockKeys.keys(prompts[readerRandom.nextInt(prompts.length)], BS);
                        int[] held = index.held(keys, engines, System.nanoTime());
                        for (int h : held) {
                            assertThat(h).isBetween(0, keys.length);
                        }
                        index.speculate(engines[readerRandom.nextInt(ENGINES)], keys, System.nanoTime());
                        if (reads.incrementAndGet() % 200 == 0) {
                            assertThat(index.stats().bytes()).isLessThanOrEqualTo(BUDGET);
                            IndexInvariants.check(index);
                        }
                    }
                }));
            }
            for (Future<?> writer : writers) {
                writer.get(2, TimeUnit.MINUTES);
            }
            writing.set(false);
            for (Future<?> reader : readers) {
                reader.get(1, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        IndexInvariants.check(index);
        PreciseIndexStats stats = index.stats();
        assertThat(stats.bytes()).isLessThanOrEqualTo(BUDGET);
        assertThat(stats.evictions()).isPositive();
        assertThat(reads.get()).isPositive();
    }

    private static void write(EventApplier applier, String engine, int[][] prompts, SplittableRandom random) {
        applier.live(engine, true);
        long nextHash = 1;
        List<Long> hashes = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            int op = random.nextInt(100);
            KvEvent event;
            if (op < 60) {
                int[] prompt = prompts[random.nextInt(prompts.length)];
                long[] stored = new long[prompt.length / BS];
                for (int i = 0; i < stored.length; i++) {
                    stored[i] = nextHash++;
                    hashes.add(stored[i]);
                }
                event = new KvEvent.BlockStored(stored, false, 0, prompt, BS, null, "GPU");
            } else if (op < 98 && !hashes.isEmpty()) {
                long[] removed = new long[Math.min(hashes.size(), 1 + random.nextInt(20))];
                for (int i = 0; i < removed.length; i++) {
                    removed[i] = hashes.remove(random.nextInt(hashes.size()));
                }
                event = new KvEvent.BlockRemoved(removed, null);
            } else {
                hashes.clear();
                event = new KvEvent.AllBlocksCleared();
            }
            applier.batch(engine, new EventBatch(b, List.of(event), null));
        }
    }
}
