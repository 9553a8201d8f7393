package dev.prefixrouter.trie;

import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Threads;

/**
 * What one request costs the router: hashing its prompt ({@code key}, outside the lock), then the longest-prefix
 * match over 16 candidate engines and the record ({@code matchRecord}, under the lock), and both together.
 *
 * <p>{@code repeat}: the same prompt again (a conversation's prefix, the common case: path exists, touch only).
 * {@code fresh}: a ring of 64 prompts, four times what the budget holds, so every record inserts the whole path
 * and first evicts as much: the worst case for the lock.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HashTrieRequestBench {

    private static final int CHUNK = 128;
    private static final int RING = 64;
    private static final int ENGINES = 16;

    @Param({"4", "32", "256"})
    public int promptKiB;

    @Param({"repeat", "fresh"})
    public String workload;

    HashTrie trie;
    String[] prompts;
    PromptKey[] keys;
    int[] candidates;

    @Setup(Level.Trial)
    public void setUp() {
        int chars = promptKiB * 1024;
        long bytesPerPrompt = (long) (chars / CHUNK) * (HashTrie.NODE_BYTES + HashTrie.ATTRIBUTION_BYTES);
        long budget = "fresh".equals(workload) ? bytesPerPrompt * RING / 4 : 256L << 20;
        trie = new HashTrie(CHUNK, budget, Long.MAX_VALUE, 7);
        candidates = new int[ENGINES];
        for (int i = 0; i < ENGINES; i++) {
            candidates[i] = trie.acquireSlot();
        }
        SplittableRandom random = new SplittableRandom(1);
        char[] body = new char[chars];
        for (int i = 0; i < chars; i++) {
            body[i] = (char) ('a' + random.nextInt(26));
        }
        int distinct = "fresh".equals(workload) ? RING : 1;
        prompts = new String[RING];
        keys = new PromptKey[RING];
        for (int i = 0; i < RING; i++) {
            String id = String.format("%-" + CHUNK + "s", "prompt " + (i % distinct));
            prompts[i] = id + new String(body, CHUNK, chars - CHUNK);
            keys[i] = trie.key(prompts[i]);
        }
        for (int i = 0; i < RING; i++) { // so that match alone has something to find
            trie.record(keys[i], candidates[i % ENGINES]);
        }
    }

    /** Per-thread position in the ring, so two threads work on different prompts. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        int advance(int threadSalt) {
            next = (next + 1) % RING;
            return (next + threadSalt) % RING;
        }
    }

    @Benchmark
    public PromptKey key(Cursor cursor) {
        return trie.key(prompts[cursor.advance(0)]);
    }

    @Benchmark
    public int[] match(Cursor cursor) {
        return trie.match(keys[cursor.advance(0)], candidates);
    }

    @Benchmark
    public int record(Cursor cursor) {
        int i = cursor.advance(0);
        return trie.record(keys[i], candidates[i % ENGINES]);
    }

    @Benchmark
    public int matchRecord(Cursor cursor) {
        int i = cursor.advance(0);
        return matchAndRecord(keys[i], i);
    }

    @Benchmark
    public int keyMatchRecord(Cursor cursor) {
        int i = cursor.advance(0);
        return matchAndRecord(trie.key(prompts[i]), i);
    }

    @Benchmark
    @Threads(2)
    public int keyMatchRecord2Threads(Cursor cursor) {
        int i = cursor.advance(RING / 2 + (int) (Thread.currentThread().getId() & 7));
        return matchAndRecord(trie.key(prompts[i]), i);
    }

    private int matchAndRecord(PromptKey key, int i) {
        int[] matched = trie.match(key, candidates);
        return matched[0] + trie.record(key, candidates[i % ENGINES]);
    }
}
