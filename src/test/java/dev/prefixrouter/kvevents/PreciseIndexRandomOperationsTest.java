package dev.prefixrouter.kvevents;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of every operation against a model of what the engines reported, each step followed by a full
 * invariant check. The index may know less than the model (it evicts), never more: an engine is credited with a key
 * only if the model says it reported it and did not remove it, or was speculatively sent it since its last removal
 * or forget of it. With a budget that never evicts, reports match the model exactly. A failure names its seed;
 * {@code -Dindex.seed=N} reruns only that one.
 */
class PreciseIndexRandomOperationsTest {

    private static final int SEQUENCES = 300;
    private static final int STEPS = 400;
    private static final int ENGINES = 5;
    private static final long TTL = 100;

    @Test
    void theIndexNeverCreditsMoreThanTheEnginesReportedOrWereSent() {
        String only = System.getProperty("index.seed");
        if (only != null) {
            new Sequence(Long.parseLong(only)).run();
            return;
        }
        SplittableRandom seeds = new SplittableRandom(20261203);
        long evictions = 0;
        long exactSequences = 0;
        for (int i = 0; i < SEQUENCES; i++) {
            Sequence sequence = new Sequence(seeds.nextLong());
            sequence.run();
            evictions += sequence.index.stats().evictions();
            exactSequences += sequence.index.stats().evictions() == 0 ? 1 : 0;
        }
        assertThat(evictions).as("evictions").isGreaterThan(10_000);
        assertThat(exactSequences).as("sequences without eviction").isGreaterThan(20);
    }

    private static final class Sequence {
        private final long seed;
        private final SplittableRandom random;
        private final PreciseIndex index;
        private final int keySpace;
        private final Map<Integer, Map<Long, Long>> reported = new HashMap<>(); // engine -> hash -> key
        /** What the index credits when nothing is evicted: a remapped or removed hash un-credits its key. */
        private final Map<Integer, Set<Long>> credited = new HashMap<>();
        private final Map<Integer, Set<Long>> speculated = new HashMap<>();
        private final Deque<String> log = new ArrayDeque<>();
        private long now;

        Sequence(long seed) {
            this.seed = seed;
            this.random = new SplittableRandom(seed);
            long budget = random.nextInt(8) == 0 ? 1 << 20 : IndexState.minimumBytes() + random.nextInt(4_000);
            this.index = new PreciseIndex(budget, Duration.ofNanos(TTL));
            this.keySpace = 10 + random.nextInt(200);
            for (int e = 0; e < ENGINES; e++) {
                index.register("engine-" + e);
                reported.put(e, new HashMap<>());
                credited.put(e, new HashSet<>());
                speculated.put(e, new HashSet<>());
            }
        }

        void run() {
            try {
                for (int step = 0; step < STEPS; step++) {
                    step();
                    IndexInvariants.check(index);
                    checkAgainstModel();
                }
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + " (rerun with -Dindex.seed=" + seed + "), last steps "
                        + log, e);
            }
        }

        private void step() {
            now += random.nextInt(30);
            int engine = random.nextInt(ENGINES);
            int op = random.nextInt(100);
            if (op < 50) {
                long hash = random.nextInt(keySpace * 2);
                long key = random.nextInt(keySpace); // key 0 included: stored under an alias
                log(engine + " stored " + hash + "->" + key);
                index.stored(engine, hash, key);
                Long old = reported.get(engine).put(hash, key);
                if (old != null && old != key) {
                    credited.get(engine).remove(old);
                }
                credited.get(engine).add(key);
            } else if (op < 75) {
                long hash = random.nextInt(keySpace * 2);
                log(engine + " removed " + hash);
                Long key = reported.get(engine).remove(hash);
                boolean known = index.removed(engine, hash);
                if (key != null) {
                    credited.get(engine).remove(key);
                    speculated.get(engine).remove(key);
                }
                if (key != null && !known) { // its mapping was evicted: the index drops all its guesses so far
                    speculated.get(engine).clear();
                }
                if (index.stats().evictions() == 0) {
                    assertThat(known).as("removal of a reported hash finds it").isEqualTo(key != null);
                }
            } else if (op < 90) {
                long[] keys = randomKeys(1 + random.nextInt(8));
                log(engine + " speculated " + java.util.Arrays.toString(keys) + " at " + now);
                index.speculate(engine, keys, now);
                for (long key : keys) {
                    speculated.get(engine).add(key);
                }
            } else if (op < 93) {
                log(engine + " forgotten");
                index.forget(engine);
                reported.get(engine).clear();
                credited.get(engine).clear();
                speculated.get(engine).clear();
            } else {
                long[] keys = randomKeys(random.nextInt(12));
                int[] engines = {0, 1, 2, 3, 4};
                int[] held = index.held(keys, engines, now);
                for (int e : engines) {
                    int expected = 0;
                    while (expected < keys.length && IndexInvariants.credits(index, e, keys[expected], now)) {
                        expected++;
                    }
                    assertThat(held[e]).as("engine %d's leading blocks of %s", e, java.util.Arrays.toString(keys))
                            .isEqualTo(expected);
                }
            }
        }

        private void checkAgainstModel() {
            index.inspect(state -> {
                boolean exact = state.evictedKeys + state.evictedMappings == 0;
                for (int e = 0; e < ENGINES; e++) {
                    if (exact) {
                        assertThat(state.blocks[e]).as("engine %d's blocks", e).isEqualTo(credited.get(e).size());
                    }
                    for (long key = 0; key < keySpace; key++) {
                        checkKey(state, exact, e, key);
                    }
                }
                return null;
            });
        }

        private void checkKey(IndexState state, boolean exact, int e, long key) {
            boolean reportedCredit = IndexInvariants.credits(state, e, key, now + TTL + 1 + 1_000_000);
            boolean truth = reported.get(e).containsValue(key);
            if (reportedCredit) {
                assertThat(truth).as("engine %d credited with key %d", e, key).isTrue();
            }
            if (exact) {
                assertThat(credited.get(e).contains(key)).as("engine %d credited with key %d", e, key)
                        .isEqualTo(reportedCredit);
            }
            if (IndexInvariants.credits(state, e, key, now)) {
                assertThat(truth || speculated.get(e).contains(key))
                        .as("engine %d credited now with key %d", e, key).isTrue();
            }
        }

        private long[] randomKeys(int n) {
            long[] keys = new long[n];
            for (int i = 0; i < n; i++) {
                keys[i] = random.nextInt(keySpace);
            }
            return keys;
        }

        private void log(String step) {
            log.addLast(step);
            if (log.size() > 12) {
                log.removeFirst();
            }
        }
    }
}
