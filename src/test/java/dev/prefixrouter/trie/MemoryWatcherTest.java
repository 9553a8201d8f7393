package dev.prefixrouter.trie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class MemoryWatcherTest {

    private final HashTrieConfig config = new HashTrieConfig(128, DataSize.ofKilobytes(512), 0.9, 0.5,
            Duration.ofMillis(50), 1_000_000_000L, 100);
    private final HashTrie trie = new HashTrie(128, config.maxMemory().toBytes(), config.endpointCacheCapacity(), 7);
    private final MemoryWatcher watcher = new MemoryWatcher(trie, config);

    @AfterEach
    void stop() {
        watcher.stop();
    }

    private void fillAbove(double utilization) {
        int slot = trie.acquireSlot();
        for (int i = 0; trie.stats().utilization() <= utilization; i++) {
            trie.record(trie.key(("unique conversation " + i + " ").repeat(40)), slot);
        }
    }

    @Test
    void operatorEvictionRunsInBatchesDownToTheTarget() {
        fillAbove(0.9);
        long nodes = trie.stats().nodes();
        MemoryWatcher.RunStats run = watcher.requestEviction(0.5).block(Duration.ofSeconds(10));
        assertThat(trie.stats().utilization()).isLessThanOrEqualTo(0.5);
        assertThat(run.nodes()).isEqualTo(nodes - trie.stats().nodes());
        assertThat(run.batches()).as("batches of %d nodes", config.evictionBatch()).isGreaterThan(1);
        assertThat(watcher.runs()).isEqualTo(1);
    }

    @Test
    void scheduledWatcherEvictsOnceAboveTheThreshold() {
        watcher.start();
        fillAbove(0.92);
        await().atMost(Duration.ofSeconds(10)).until(() -> trie.stats().utilization() <= 0.5);
        assertThat(watcher.runs()).isPositive();
    }

    @Test
    void clearForgetsEverything() {
        fillAbove(0.3);
        watcher.requestClear().block(Duration.ofSeconds(10));
        assertThat(trie.stats().nodes()).isZero();
    }
}
