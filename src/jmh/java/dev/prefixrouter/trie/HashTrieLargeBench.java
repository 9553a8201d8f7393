package dev.prefixrouter.trie;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The request path on a big, long-running trie, where memory rather than the CPU sets the pace. A 512 MB budget
 * (8M nodes) is filled by churning unique 32 KB prompts over 16 engines; then 512 conversations of 256 KB are
 * recorded amid further churn, so their node ids come from the free list. Each call takes the next conversation
 * in turn: a working set of 1M nodes (64 MB of arrays plus the index) that no CPU cache holds, so most chunk
 * lookups go to main memory — unlike the small-trie benchmarks, whose few prompts stay in cache.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HashTrieLargeBench {

    private static final int CHUNK = 128;
    private static final long BUDGET = 512L << 20;
    private static final int CONVERSATIONS = 512;

    HashTrie trie;
    PromptKey[] conversations;
    int[] candidates;
    int next;
    int churned;

    @Setup(Level.Trial)
    public void fill() {
        trie = new HashTrie(CHUNK, BUDGET, Long.MAX_VALUE, 13);
        candidates = new int[16];
        for (int i = 0; i < candidates.length; i++) {
            candidates[i] = trie.acquireSlot();
        }
        String churnBody = "c".repeat(32 * 1024 - CHUNK);
        while (trie.stats().evictedNodes() == 0) {
            churn(churnBody);
        }
        String conversationBody = "q".repeat(256 * 1024 - CHUNK);
        conversations = new PromptKey[CONVERSATIONS];
        for (int c = 0; c < CONVERSATIONS; c++) {
            conversations[c] = trie.key(String.format("conversation %-" + CHUNK + "d", c).substring(0, CHUNK)
                    + conversationBody);
            trie.record(conversations[c], candidates[c % 16]);
            for (int i = 0; i < 8; i++) {
                churn(churnBody);
            }
        }
    }

    private void churn(String body) {
        trie.record(trie.key(String.format("%-" + CHUNK + "d", churned) + body), candidates[churned % 16]);
        churned++;
    }

    @Benchmark
    public int[] match() {
        next = (next + 1) % CONVERSATIONS;
        return trie.match(conversations[next], candidates);
    }

    @Benchmark
    public int matchRecord() {
        next = (next + 1) % CONVERSATIONS;
        int[] matched = trie.match(conversations[next], candidates);
        return matched[0] + trie.record(conversations[next], candidates[next % 16]);
    }
}
