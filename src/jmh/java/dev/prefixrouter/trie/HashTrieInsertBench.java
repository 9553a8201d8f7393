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
 * Recording a prompt no engine has seen, when the memory watcher has kept headroom (as it normally does):
 * every chunk is a new node and nothing has to be evicted on the way. Before each call, outside the measurement,
 * the trie is evicted down to one prompt's worth below its budget.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HashTrieInsertBench {

    private static final int CHUNK = 128;
    private static final int RING = 64;

    @Param({"4", "32", "256"})
    public int promptKiB;

    HashTrie trie;
    PromptKey[] keys;
    int slot;
    int next;
    long headroomTarget;

    @Setup(Level.Trial)
    public void setUp() {
        int chars = promptKiB * 1024;
        long bytesPerPrompt = (long) (chars / CHUNK) * (HashTrie.NODE_BYTES + HashTrie.ATTRIBUTION_BYTES);
        long budget = bytesPerPrompt * RING / 4;
        headroomTarget = budget - bytesPerPrompt;
        trie = new HashTrie(CHUNK, budget, Long.MAX_VALUE, 7);
        slot = trie.acquireSlot();
        String body = "x".repeat(chars - CHUNK);
        keys = new PromptKey[RING];
        for (int i = 0; i < RING; i++) {
            keys[i] = trie.key(String.format("%-" + CHUNK + "d", i) + body);
        }
    }

    @Setup(Level.Invocation)
    public void makeHeadroom() {
        trie.evict(headroomTarget, Integer.MAX_VALUE);
        next = (next + 1) % RING;
    }

    @Benchmark
    public int recordNew() {
        return trie.record(keys[next], slot);
    }
}
