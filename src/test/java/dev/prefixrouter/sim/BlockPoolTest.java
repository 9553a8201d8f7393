package dev.prefixrouter.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BlockPoolTest {

    private final BlockPool pool = new BlockPool(4);

    @Test
    void takesNeverUsedBlocksBeforeEvictingCachedOnes() {
        int cached = pool.allocate();
        pool.cache(cached, 42L);
        pool.release(new int[] {cached}, 1);

        assertThat(pool.allocate()).isEqualTo(1);
        assertThat(pool.allocate()).isEqualTo(2);
        assertThat(pool.allocate()).isEqualTo(3);
        assertThat(pool.cachedBlock(42L)).isEqualTo(cached);
        assertThat(pool.allocate()).isEqualTo(cached);
        assertThat(pool.cachedBlock(42L)).isEqualTo(-1);
        pool.checkInvariants();
    }

    @Test
    void evictsTheLeastRecentlyReleasedFirstAndATouchRefreshes() {
        int[] blocks = {pool.allocate(), pool.allocate(), pool.allocate(), pool.allocate()};
        for (int i = 0; i < 4; i++) {
            pool.cache(blocks[i], 100L + i);
        }
        pool.release(new int[] {blocks[0]}, 1);
        pool.release(new int[] {blocks[1]}, 1);
        pool.touch(blocks[0]); // a hit: no longer evictable
        pool.release(new int[] {blocks[0]}, 1); // now the most recent

        assertThat(pool.evictionOrder()).containsExactly(blocks[1], blocks[0]);
        assertThat(pool.allocate()).isEqualTo(blocks[1]);
        assertThat(pool.cachedBlock(101L)).isEqualTo(-1);
        assertThat(pool.cachedBlock(100L)).isEqualTo(blocks[0]);
        pool.checkInvariants();
    }

    @Test
    void releasesARequestsBlocksTailFirst() {
        int[] blocks = {pool.allocate(), pool.allocate(), pool.allocate()};
        pool.release(blocks, 3);

        assertThat(pool.evictionOrder()).containsExactly(3, blocks[2], blocks[1], blocks[0]);
    }

    @Test
    void neverHandsOutAHeldBlock() {
        for (int i = 0; i < 4; i++) {
            pool.allocate();
        }

        assertThat(pool.numFree()).isZero();
        assertThatThrownBy(pool::allocate).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void keepsTheFirstBlockForADuplicatePrefix() {
        int first = pool.allocate();
        int second = pool.allocate();
        pool.cache(first, 7L);
        pool.cache(second, 7L);

        assertThat(pool.cachedBlock(7L)).isEqualTo(first);
        pool.release(new int[] {first, second}, 2);
        pool.checkInvariants();
    }

    @Test
    void readingThePrefixChangesNothing() {
        int a = pool.allocate();
        int b = pool.allocate();
        pool.cache(a, 1L);
        pool.cache(b, 2L);
        pool.release(new int[] {a, b}, 2);
        int[] before = pool.evictionOrder();

        assertThat(pool.cachedPrefixBlocks(new long[] {1L, 2L, 3L})).isEqualTo(2);
        assertThat(pool.cachedPrefixBlocks(new long[] {2L})).isEqualTo(1);
        assertThat(pool.cachedPrefixBlocks(new long[] {3L, 1L})).isZero();
        assertThat(pool.evictionOrder()).containsExactly(before);
    }

    @Test
    void usageCountsCachedButUnheldBlocksAsFree() {
        int a = pool.allocate();
        pool.cache(a, 1L);
        assertThat(pool.usage()).isEqualTo(0.25);

        pool.release(new int[] {a}, 1);
        assertThat(pool.usage()).isZero();
        assertThat(pool.cachedBlock(1L)).isEqualTo(a);
    }
}
