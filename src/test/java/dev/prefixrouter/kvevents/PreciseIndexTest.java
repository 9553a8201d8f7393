package dev.prefixrouter.kvevents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PreciseIndexTest {

    private static final long TTL = Duration.ofSeconds(2).toNanos();
    private static final long[] PROMPT = {11, 12, 13, 14, 15};

    private final PreciseIndex index = new PreciseIndex(1 << 20, Duration.ofNanos(TTL));
    private final int a = index.register("a");
    private final int b = index.register("b");

    private void store(int engine, long hashBase, long... keys) {
        for (int i = 0; i < keys.length; i++) {
            index.stored(engine, hashBase + i, keys[i]);
        }
    }

    @Test
    void enginesGetSmallIndexesAndTheSixtyFifthIsNotTracked() {
        assertThat(a).isZero();
        assertThat(b).isOne();
        assertThat(index.register("a")).isZero();
        for (int i = 2; i < 64; i++) {
            assertThat(index.register("e" + i)).isEqualTo(i);
        }
        assertThat(index.register("one-too-many")).isEqualTo(-1);
        assertThat(index.indexOf("one-too-many")).isEqualTo(-1);
        index.unregister("e7");
        assertThat(index.register("one-too-many")).isEqualTo(7);
    }

    @Test
    void heldCountsLeadingKeysAndStopsAtTheFirstGap() {
        store(a, 100, 11, 12, 13);
        store(b, 200, 11, 13, 14, 15);
        assertThat(index.held(PROMPT, new int[] {a, b, 5, -1, 99}, 0)).containsExactly(3, 1, 0, 0, 0);
        assertThat(index.held(PROMPT, new String[] {"b", "a", "nobody"}, 0)).containsExactly(1, 3, 0);
        store(b, 300, 12);
        assertThat(index.held(PROMPT, new int[] {b}, 0)).containsExactly(5);
        assertThat(index.held(new long[0], new int[] {a}, 0)).containsExactly(0);
    }

    @Test
    void removalUnCreditsExactlyTheStoredKeyAndFreesUnheldKeys() {
        store(a, 100, 11, 12, 13);
        store(b, 200, 11, 12);
        assertThat(index.routerKey(a, 101)).isEqualTo(12);
        assertThat(index.removed(a, 101)).isTrue();
        assertThat(index.removed(a, 101)).isFalse();
        assertThat(index.routerKey(a, 101)).isEqualTo(PreciseIndex.UNKNOWN_KEY);
        assertThat(index.held(PROMPT, new int[] {a, b}, 0)).containsExactly(1, 2);
        assertThat(index.removed(b, 201)).isTrue();
        PreciseIndexStats stats = index.stats();
        assertThat(stats.keys()).isEqualTo(2); // 11 and 13; 12 is held by nobody now
        assertThat(stats.mappings()).isEqualTo(3);
        assertThat(stats.engines()).extracting(PreciseIndexStats.EngineBlocks::blocks).containsExactly(2L, 1L);
    }

    @Test
    void anEngineHashReusedForOtherTokensMovesItsCredit() {
        index.stored(a, 100, 11);
        index.stored(a, 100, 99);
        assertThat(index.held(new long[] {11}, new int[] {a}, 0)).containsExactly(0);
        assertThat(index.held(new long[] {99}, new int[] {a}, 0)).containsExactly(1);
        assertThat(index.routerKey(a, 100)).isEqualTo(99);
    }

    @Test
    void forgetDropsOneEnginesReportsAndSpeculationOnly() {
        store(a, 100, 11, 12, 13);
        store(b, 100, 11, 12);
        index.speculate(a, new long[] {14, 15}, 0);
        index.forget("a");
        assertThat(index.held(PROMPT, new int[] {a, b}, 0)).containsExactly(0, 2);
        assertThat(index.routerKey(a, 100)).isEqualTo(PreciseIndex.UNKNOWN_KEY);
        assertThat(index.routerKey(b, 100)).isEqualTo(11);
        assertThat(index.stats().keys()).isEqualTo(2);
        store(a, 500, 11);
        assertThat(index.held(PROMPT, new int[] {a}, 0)).containsExactly(1);
    }

    @Test
    void speculationCreditsUntilItsTtl() {
        store(a, 100, 11);
        index.speculate(b, PROMPT, 1_000);
        assertThat(index.held(PROMPT, new int[] {a, b}, 1_000 + TTL)).containsExactly(1, 5);
        assertThat(index.held(PROMPT, new int[] {a, b}, 1_001 + TTL)).containsExactly(1, 0);
        index.speculate(a, new long[] {11, 12}, 5_000);
        assertThat(index.held(PROMPT, new int[] {a}, 5_000)).containsExactly(2);
    }

    @Test
    void aRemovalClearsSpeculationMadeBeforeIt() {
        index.speculate(a, PROMPT, 0);
        store(a, 100, 11, 12, 13);
        index.removed(a, 101); // the engine evicted the block for key 12 after the request was routed
        assertThat(index.held(PROMPT, new int[] {a}, 1)).containsExactly(1);
        index.speculate(a, new long[] {11, 12}, 2); // a new request makes it true again
        assertThat(index.held(PROMPT, new int[] {a}, 3)).containsExactly(5); // 13 reported, 14 and 15 still guessed
    }

    @Test
    void aTinyBudgetEvictsInsteadOfGrowing() {
        PreciseIndex small = new PreciseIndex(2_000, Duration.ofSeconds(1));
        int e = small.register("e");
        for (int i = 1; i <= 1_000; i++) {
            small.stored(e, i, i * 7919L);
        }
        PreciseIndexStats stats = small.stats();
        assertThat(stats.bytes()).isLessThanOrEqualTo(2_000);
        assertThat(stats.evictions()).isGreaterThan(900);
        assertThat(stats.engines().get(0).blocks()).isEqualTo(stats.keys()).isLessThanOrEqualTo(stats.mappings());
        assertThat(small.held(new long[] {1_000 * 7919L}, new int[] {e}, 0)).containsExactly(1);
    }

    @Test
    void aBudgetSmallerThanTheSmallestTablesIsRejected() {
        assertThatThrownBy(() -> new PreciseIndex(100, Duration.ofSeconds(1)))
                .hasMessageContaining("maxMemoryBytes must be at least 800");
    }

    @Test
    void forgottenOrUnregisteredEnginesIgnoreLateReports() {
        index.unregister("b");
        index.stored(b, 1, 11);
        index.speculate("b", PROMPT, 0);
        assertThat(index.stats().keys()).isZero();
    }
}
