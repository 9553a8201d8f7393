package dev.prefixrouter.kvevents;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventApplierTest {

    private static final int BS = 4;
    private static final long STALE = Duration.ofSeconds(10).toNanos();

    private final PreciseIndex index = new PreciseIndex(1 << 20, Duration.ofSeconds(2));
    private final EventApplier applier = new EventApplier(index, BS, Duration.ofNanos(STALE), () -> 0L);
    private final int[] prompt = tokens(6 * BS);
    private final long[] keys = BlockKeys.keys(prompt, BS);

    private static int[] tokens(int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = 1000 + i * 7;
        }
        return t;
    }

    private static EventBatch batch(KvEvent... events) {
        return new EventBatch(1.0, List.of(events), null);
    }

    /** Blocks [from, to) of the prompt, engine hashes 500 + block. */
    private KvEvent.BlockStored stored(int from, int to, String medium, int blockSize) {
        long[] hashes = new long[to - from];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = 500 + from + i;
        }
        return new KvEvent.BlockStored(hashes, from > 0, 500 + from - 1,
                Arrays.copyOfRange(prompt, from * BS, to * BS), blockSize, null, medium);
    }

    private int held(String engine) {
        return index.held(keys, new String[] {engine}, 0)[0];
    }

    @Test
    void storedChainsAcrossBatchesAndMatchesTheRoutersKeys() {
        applier.live("a", true);
        applier.batch("a", batch(stored(0, 2, "GPU", BS)));
        applier.batch("a", batch(stored(2, 5, null, BS)));
        assertThat(held("a")).isEqualTo(5);
        assertThat(index.routerKey(index.indexOf("a"), 504)).isEqualTo(keys[4]);
        assertThat(applier.stats()).singleElement().satisfies(s -> {
            assertThat(s.storedBlocks()).isEqualTo(5);
            assertThat(s.batches()).isEqualTo(2);
            assertThat(s.fresh()).isTrue();
        });
    }

    @Test
    void aBlockWhoseParentIsUnknownCannotBeKeyed() {
        applier.batch("a", batch(stored(0, 1, "GPU", BS), stored(2, 4, "GPU", BS)));
        assertThat(held("a")).isEqualTo(1);
        assertThat(applier.stats().get(0).unanchoredBlocks()).isEqualTo(2);
        assertThat(index.stats().keys()).isEqualTo(1);
    }

    @Test
    void otherMediaBlockSizesAndShortTokenListsAreSkipped() {
        KvEvent.BlockStored shortTokens = new KvEvent.BlockStored(new long[] {500, 501}, false, 0,
                Arrays.copyOf(prompt, 2 * BS - 1), BS, null, "GPU");
        applier.batch("a", batch(stored(0, 2, "CPU", BS), stored(0, 2, "GPU", 2 * BS), shortTokens,
                new KvEvent.BlockRemoved(new long[] {500}, "cpu")));
        assertThat(held("a")).isZero();
        assertThat(applier.stats().get(0).skippedBlocks()).isEqualTo(7);
        applier.batch("a", batch(stored(0, 2, "gpu", BS)));
        assertThat(held("a")).isEqualTo(2);
    }

    @Test
    void removalUnCreditsAndClearingForgets() {
        applier.batch("a", batch(stored(0, 4, "GPU", BS)));
        applier.batch("b", batch(stored(0, 4, "GPU", BS)));
        applier.batch("a", batch(new KvEvent.BlockRemoved(new long[] {502, 999}, null)));
        assertThat(held("a")).isEqualTo(2);
        assertThat(applier.stats().get(0).removedBlocks()).isEqualTo(1);
        assertThat(applier.stats().get(0).unknownRemovals()).isEqualTo(1);
        applier.batch("b", batch(new KvEvent.AllBlocksCleared()));
        assertThat(held("b")).isZero();
        applier.batch("a", batch(stored(0, 1, "GPU", BS)));
        applier.forget("a");
        assertThat(held("a")).isZero();
        assertThat(applier.stats()).extracting(EngineEventStats::clears).containsExactly(1L, 1L);
    }

    @Test
    void loraBlocksDoNotMatchTheBaseModel() {
        applier.batch("a", batch(new KvEvent.BlockStored(new long[] {1, 2}, false, 0, Arrays.copyOf(prompt, 2 * BS),
                BS, 3, "GPU")));
        assertThat(held("a")).isZero();
        long[] loraKeys = BlockKeys.keys(prompt, BS, BlockKeys.root(3L));
        assertThat(index.held(loraKeys, new String[] {"a"}, 0)).containsExactly(2);
    }

    @Test
    void anEngineIsFreshWhileLiveAndAnsweringRequests() {
        assertThat(applier.isFresh("a", 0)).isFalse();
        applier.live("a", true);
        assertThat(applier.isFresh("a", 0)).isTrue();
        applier.sent("a", 100);
        applier.sent("a", 5_000); // the oldest unanswered send counts
        assertThat(applier.isFresh("a", 100 + STALE)).isTrue();
        assertThat(applier.isFresh("a", 101 + STALE)).isFalse();
        applier.batch("a", batch());
        assertThat(applier.isFresh("a", 101 + STALE)).isTrue();
        applier.live("a", false);
        assertThat(applier.isFresh("a", 0)).isFalse();
        applier.live("a", true);
        applier.unregister("a");
        assertThat(applier.isFresh("a", 0)).isFalse();
        assertThat(index.indexOf("a")).isEqualTo(-1);
    }
}
