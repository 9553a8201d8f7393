package dev.prefixrouter.trie;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jol.info.GraphLayout;

/**
 * Real heap bytes per node, measured with JOL on a trie filled to a 64 MB budget with 1 or 3 engines per
 * prefix; reported as auxiliary counters next to the (uninteresting) time of one measurement.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class HashTrieFootprintBench {

    private static final int CHUNK = 128;
    private static final long BUDGET = 64L << 20;

    @Param({"1", "3"})
    public int enginesPerPrefix;

    HashTrie trie;
    /** JMH sums EVENTS counters over the measurement iterations; each reports its share so the sum is the value. */
    double share;

    @Setup(Level.Trial)
    public void fill(BenchmarkParams params) {
        share = 1.0 / params.getMeasurement().getCount();
        trie = new HashTrie(CHUNK, BUDGET, Long.MAX_VALUE, 9);
        int[] slots = {trie.acquireSlot(), trie.acquireSlot(), trie.acquireSlot()};
        String body = "b".repeat(31 * CHUNK);
        for (int i = 0; trie.stats().evictedNodes() < 10_000; i++) {
            PromptKey key = trie.key(String.format("%-" + CHUNK + "d", i) + body);
            for (int e = 0; e < enginesPerPrefix; e++) {
                trie.record(key, slots[e]);
            }
        }
    }

    /** JOL's measurement, shown as counters (a value per iteration). */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Footprint {
        public double realBytesPerNode;
        public double accountedBytesPerNode;
        public double allocatedOverRealPercent;
    }

    @Benchmark
    public void measure(Footprint footprint, Blackhole blackhole) {
        HashTrieStats stats = trie.stats();
        long real = GraphLayout.parseInstance(trie).totalSize();
        footprint.realBytesPerNode = share * real / stats.nodes();
        footprint.accountedBytesPerNode = share * stats.accountedBytes() / stats.nodes();
        footprint.allocatedOverRealPercent = share * 100.0 * stats.allocatedBytes() / real;
        blackhole.consume(real);
    }
}
