package dev.prefixrouter.trie;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The budget holds while four threads flood the trie with unique 256 KB prompts and a fifth plays the memory
 * watcher (evict, maintain) and samples the stats. Bounded work, no sleeps, no timing assertions.
 */
class HashTrieConcurrencyTest {

    private static final int CHUNK = 128;
    private static final int PROMPT_CHARS = 256 * 1024;
    private static final int WRITERS = 4;
    private static final int PROMPTS_PER_WRITER = 60;
    private static final long BUDGET = 4L << 20; // about 32 such prompts

    @Test
    void theBudgetAndInvariantsHoldUnderAConcurrentFloodOfUniqueLongPrompts() throws Exception {
        HashTrie trie = new HashTrie(CHUNK, BUDGET, 1L << 30, 11, 64); // 2048-chunk prompts in 32 holds each
        int[] slots = new int[8];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = trie.acquireSlot();
        }
        String body = Prompts.random(3, PROMPT_CHARS - CHUNK);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong samples = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 1);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(pool.submit(() -> flood(trie, writer, body, slots)));
            }
            Future<?> watcher = pool.submit(() -> {
                while (writing.get()) {
                    HashTrieStats stats = trie.stats();
                    assertThat(stats.accountedBytes()).isLessThanOrEqualTo(BUDGET);
                    assertThat(stats.allocatedBytes()).isLessThanOrEqualTo(BUDGET + 64 * 1024);
                    samples.incrementAndGet();
                    trie.evict(BUDGET * 8 / 10, 1000);
                    trie.maintain(1000);
                    if (samples.get() % 16 == 0) {
                        TrieInvariants.check(trie); // between two holds of some writer's record, likely
                    }
                }
            });
            for (Future<?> writer : writers) {
                writer.get(2, TimeUnit.MINUTES);
            }
            writing.set(false);
            watcher.get(1, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }

        HashTrieStats stats = trie.stats();
        assertThat(samples.get()).isPositive();
        assertThat(stats.accountedBytes()).isLessThanOrEqualTo(BUDGET);
        assertThat(stats.evictedNodes()).isPositive();
        assertThat(stats.maxRecordedDepth()).isEqualTo(PROMPT_CHARS / CHUNK);
        TrieInvariants.check(trie);
    }

    private static void flood(HashTrie trie, int writer, String body, int[] slots) {
        for (int i = 0; i < PROMPTS_PER_WRITER; i++) {
            String unique = String.format("%-" + CHUNK + "s", "writer " + writer + " prompt " + i);
            PromptKey key = trie.key(unique + body);
            int slot = slots[(writer + i) % slots.length];
            int from = trie.record(key, slot);
            int[] matched = trie.match(key, slots);
            assertThat(matched[(writer + i) % slots.length]).isLessThanOrEqualTo(PROMPT_CHARS);
            if (i % 7 == 0) {
                trie.undo(key, slot, from);
            }
            if (i == PROMPTS_PER_WRITER / 2 && writer == 0) {
                trie.releaseSlot(slots[7]); // an engine leaves mid-flood; its in-flight records are ignored
            }
        }
    }
}
