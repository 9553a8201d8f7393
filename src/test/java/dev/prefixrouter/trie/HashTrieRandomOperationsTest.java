package dev.prefixrouter.trie;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of every operation, each followed by a full invariant check and a match cross-checked against
 * a slow walk of the internals. Reproducible: a failure names its seed; {@code -Dtrie.seed=N} reruns only that one.
 * (Seeded sequences rather than jqwik: jqwik 1.10 prints a notice asking AI agents not to use it.)
 */
class HashTrieRandomOperationsTest {

    private static final int SEQUENCES = 300;
    private static final int STEPS = 300;
    private static final int CHUNK = 4;
    /** Few distinct chunks, so prompts share prefixes and diverge at every depth. */
    private static final String[] CHUNKS = {"aaaa", "bbbb", "cccc"};

    @Test
    void everyInvariantHoldsAfterEveryStep() {
        String only = System.getProperty("trie.seed");
        if (only != null) {
            new Sequence(Long.parseLong(only)).run();
            return;
        }
        SplittableRandom seeds = new SplittableRandom(20261125);
        Coverage coverage = new Coverage();
        for (int i = 0; i < SEQUENCES; i++) {
            new Sequence(seeds.nextLong()).run().addTo(coverage);
        }
        // The generator must reach the states worth testing, or passing proves little.
        assertThat(coverage.evictedNodes).as("evicted nodes").isGreaterThan(1000);
        assertThat(coverage.capacityDrops).as("capacity drops").isGreaterThan(1000);
        assertThat(coverage.swept).as("swept attributions").isGreaterThan(1000);
        assertThat(coverage.undoneAttributions).as("undone attributions").isGreaterThan(100);
        assertThat(coverage.wideSlotMatches).as("matches of slots >= 64").isGreaterThan(100);
    }

    private static final class Coverage {
        long evictedNodes;
        long capacityDrops;
        long swept;
        long undoneAttributions;
        long wideSlotMatches;
    }

    private static final class Sequence {
        private final long seed;
        private final SplittableRandom random;
        private final HashTrie trie;
        private final long maxBytes;
        private final List<Integer> active = new ArrayList<>();
        private final List<Integer> released = new ArrayList<>();
        private final Deque<Object[]> recorded = new ArrayDeque<>();
        private final Deque<String> log = new ArrayDeque<>();
        private long swept;
        private long undoneAttributions;
        private long wideSlotMatches;

        Sequence(long seed) {
            this.seed = seed;
            this.random = new SplittableRandom(seed);
            this.maxBytes = 64 + random.nextLong(64L * 400);
            // Tiny lock holds in half the sequences, so records stop and resume between depths all the time.
            int chunksPerHold = random.nextBoolean() ? 1 + random.nextInt(4) : HashTrie.DEFAULT_CHUNKS_PER_HOLD;
            this.trie = new HashTrie(CHUNK, maxBytes, random.nextBoolean() ? Long.MAX_VALUE : 4L * CHUNK * 12,
                    seed, chunksPerHold);
        }

        Sequence addTo(Coverage coverage) {
            HashTrieStats stats = trie.stats();
            coverage.evictedNodes += stats.evictedNodes();
            coverage.capacityDrops += stats.capacityDroppedAttributions();
            coverage.swept += swept;
            coverage.undoneAttributions += undoneAttributions;
            coverage.wideSlotMatches += wideSlotMatches;
            return this;
        }

        Sequence run() {
            int engines = 1 + random.nextInt(random.nextBoolean() ? 8 : 72);
            for (int i = 0; i < engines; i++) {
                active.add(trie.acquireSlot());
            }
            for (int step = 0; step < STEPS; step++) {
                String op = null;
                try {
                    op = step();
                    remember(op);
                    TrieInvariants.check(trie);
                    checkAllocation();
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("seed " + seed + " (rerun with -Dtrie.seed=" + seed + "), step " + step
                            + ", budget " + maxBytes + ": " + e.getMessage() + "\nlast operations, newest last:\n"
                            + String.join("\n", log) + (op == null ? "" : "\n" + op), e);
                }
            }
            return this;
        }

        private String step() {
            int dice = random.nextInt(100);
            if (dice < 40) {
                return record();
            } else if (dice < 60) {
                return match();
            } else if (dice < 68) {
                return undo();
            } else if (dice < 76) {
                long target = random.nextLong(trie.stats().accountedBytes() + 1);
                int maxNodes = random.nextInt(20);
                return "evict(" + target + ", " + maxNodes + ") = " + trie.evict(target, maxNodes);
            } else if (dice < 81) {
                return release();
            } else if (dice < 86) {
                return acquire();
            } else if (dice < 92) {
                int work = random.nextInt(12);
                int done = trie.maintain(work);
                swept += done;
                return "maintain(" + work + ") = " + done;
            } else if (dice < 99) {
                return setCapacity();
            } else {
                trie.clear();
                recorded.clear();
                released.clear(); // cleared retired slots are free again
                return "clear()";
            }
        }

        private String record() {
            String prompt = prompt();
            int slot = pickSlot();
            PromptKey key = trie.key(prompt);
            int from = trie.record(key, slot);
            if (active.contains(slot)) {
                recorded.addLast(new Object[] {key, slot, from});
                if (recorded.size() > 20) {
                    recorded.removeFirst();
                }
                if (from < key.chunks()) {
                    assertThat(trie.match(key, new int[] {slot})[0]).as("newly recorded depth")
                            .isGreaterThan(from * CHUNK);
                }
            } else {
                assertThat(from).as("record on a released or unknown slot is ignored").isEqualTo(key.chunks());
            }
            return "record(" + prompt + ", " + slot + ") = " + from;
        }

        private String match() {
            PromptKey key = trie.key(prompt());
            int[] candidates = random.ints(random.nextInt(6), -1, 80).toArray();
            if (!active.isEmpty() && random.nextBoolean()) {
                candidates = active.stream().mapToInt(Integer::intValue).toArray();
            }
            int[] matched = trie.match(key, candidates);
            for (int i = 0; i < candidates.length; i++) {
                wideSlotMatches += candidates[i] >= 64 && matched[i] > 0 ? 1 : 0;
            }
            assertThat(matched).as("match against a slow walk").containsExactly(slowMatch(key, candidates));
            return "match(" + key.chunks() + " chunks, " + candidates.length + " candidates)";
        }

        private String undo() {
            if (recorded.isEmpty()) {
                return "undo: nothing recorded";
            }
            Object[] r = random.nextBoolean() ? recorded.pollLast() : recorded.pollFirst();
            long before = trie.stats().attributions();
            trie.undo((PromptKey) r[0], (int) r[1], (int) r[2]);
            undoneAttributions += before - trie.stats().attributions();
            return "undo(slot " + r[1] + ", from " + r[2] + ")";
        }

        private String release() {
            if (active.isEmpty()) {
                return "release: no slot";
            }
            int slot = active.remove(random.nextInt(active.size()));
            trie.releaseSlot(slot);
            released.add(slot);
            int[] matched = trie.match(trie.key(prompt()), new int[] {slot});
            assertThat(matched).as("a released slot matches nothing").containsExactly(0);
            return "releaseSlot(" + slot + ")";
        }

        private String acquire() {
            int slot = trie.acquireSlot();
            HashTrieStats stats = trie.stats();
            assertThat(active).doesNotContain(slot);
            released.removeIf(s -> s == slot); // only swept slots come back
            active.add(slot);
            return "acquireSlot() = " + slot + " (retired left: " + stats.retiredSlots() + ")";
        }

        private String setCapacity() {
            if (active.isEmpty()) {
                return "setCapacity: no slot";
            }
            int slot = active.get(random.nextInt(active.size()));
            long chars = random.nextInt(3) == 0 ? Long.MAX_VALUE : random.nextLong(40L * CHUNK);
            trie.setCapacity(slot, chars);
            return "setCapacity(" + slot + ", " + chars + ")";
        }

        private String prompt() {
            int chunks = random.nextInt(13);
            StringBuilder prompt = new StringBuilder();
            for (int i = 0; i < chunks; i++) {
                prompt.append(CHUNKS[random.nextInt(random.nextInt(4) == 0 ? CHUNKS.length : 2)]);
            }
            prompt.append("xyz", 0, random.nextInt(CHUNK));
            return prompt.toString();
        }

        private int pickSlot() {
            int dice = random.nextInt(10);
            if (dice == 0 && !released.isEmpty()) {
                return released.get(random.nextInt(released.size()));
            }
            if (dice == 1 || active.isEmpty()) {
                return 90 + random.nextInt(5); // never acquired
            }
            return active.get(random.nextInt(active.size()));
        }

        private int[] slowMatch(PromptKey key, int[] candidates) {
            return trie.inspect(s -> {
                int[] expected = new int[candidates.length];
                for (int i = 0; i < candidates.length; i++) {
                    int slot = candidates[i];
                    if (!s.slots.isActive(slot)) {
                        continue;
                    }
                    int parent = NodeStore.NIL;
                    int depth = 0;
                    while (depth < key.chunks()) {
                        int node = s.index.find(key.hash(depth), s.nodes);
                        if (node == NodeStore.NIL || s.nodes.parent(node) != parent
                                || s.attrs.find(node, slot, s.nodes) == NodeStore.NIL) {
                            break;
                        }
                        parent = node;
                        depth++;
                    }
                    expected[i] = depth * CHUNK;
                }
                return expected;
            });
        }

        private void checkAllocation() {
            HashTrieStats stats = trie.stats();
            long overhead = 1024 + 128L * Math.max(8, active.size() + released.size());
            assertThat(stats.allocatedBytes()).as("allocated bytes").isLessThanOrEqualTo(maxBytes + overhead);
        }

        private void remember(String op) {
            log.addLast(op);
            if (log.size() > 25) {
                log.removeFirst();
            }
        }
    }
}
