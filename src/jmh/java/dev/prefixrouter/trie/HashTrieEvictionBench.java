package dev.prefixrouter.trie;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One {@code evict} batch, i.e. one lock hold of the memory watcher, sampled so the tail (p99.9, max) shows.
 * The trie holds 100k nodes (3125 prompts of 32 chunks, each on two of 16 engines, under a shared 4-chunk
 * system prompt) and is refilled, outside the measurement, whenever less than a batch is left.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HashTrieEvictionBench {

    private static final int CHUNK = 128;
    private static final int NODES = 100_000;
    private static final int PROMPT_CHUNKS = 32;

    @Param({"1000", "10000"})
    public int batch;

    HashTrie trie;
    PromptKey[] keys;
    int[] slots;
    int left;

    @Setup(Level.Trial)
    public void setUp() {
        trie = new HashTrie(CHUNK, 256L << 20, Long.MAX_VALUE, 3);
        slots = new int[16];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = trie.acquireSlot();
        }
        String system = "s".repeat(4 * CHUNK);
        String tail = "t".repeat((PROMPT_CHUNKS - 5) * CHUNK);
        keys = new PromptKey[NODES / (PROMPT_CHUNKS - 4)];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = trie.key(system + String.format("%-" + CHUNK + "d", i) + tail);
        }
    }

    @Setup(Level.Invocation)
    public void refillWhenLow() {
        if (left < batch) {
            for (int i = 0; i < keys.length; i++) {
                trie.record(keys[i], slots[i % slots.length]);
                trie.record(keys[i], slots[(i + 1) % slots.length]);
            }
            left = (int) trie.stats().nodes();
        }
    }

    @Benchmark
    public int evictBatch() {
        int evicted = trie.evict(0, batch);
        left -= evicted;
        return evicted;
    }
}
