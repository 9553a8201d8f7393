package dev.prefixrouter.kvevents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BlockKeysTest {

    private static int[] tokens(int n, int seed) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = seed * 31 + i;
        }
        return t;
    }

    @Test
    void keysAreDeterministicAndOnlyFullBlocksAreKeyed() {
        int[] prompt = tokens(50, 1);
        long[] keys = BlockKeys.keys(prompt, 16);
        assertThat(keys).hasSize(3).doesNotHaveDuplicates();
        assertThat(BlockKeys.keys(prompt.clone(), 16)).containsExactly(keys);
        assertThat(BlockKeys.keys(Arrays.copyOf(prompt, 15), 16)).isEmpty();
    }

    @Test
    void eachKeyChainsItsParent() {
        int[] prompt = tokens(48, 2);
        long[] keys = BlockKeys.keys(prompt, 16);
        assertThat(BlockKeys.key(BlockKeys.ROOT, prompt, 0, 16)).isEqualTo(keys[0]);
        assertThat(BlockKeys.key(keys[0], prompt, 16, 16)).isEqualTo(keys[1]);
        assertThat(BlockKeys.key(keys[1], prompt, 32, 16)).isEqualTo(keys[2]);
    }

    @Test
    void theSameBlockUnderAnotherPrefixHasAnotherKey() {
        int[] a = tokens(32, 3);
        int[] b = a.clone();
        b[0]++; // first block differs, second block's tokens are the same
        long[] ka = BlockKeys.keys(a, 16);
        long[] kb = BlockKeys.keys(b, 16);
        assertThat(ka[0]).isNotEqualTo(kb[0]);
        assertThat(ka[1]).isNotEqualTo(kb[1]);
        int[] c = a.clone();
        c[31]++; // only the last block differs: the shared prefix keeps its key
        assertThat(BlockKeys.keys(c, 16)[0]).isEqualTo(ka[0]);
        assertThat(BlockKeys.keys(c, 16)[1]).isNotEqualTo(ka[1]);
    }

    @Test
    void loraSaltsSeparateAdaptersFromTheBaseModel() {
        int[] prompt = tokens(32, 4);
        long[] base = BlockKeys.keys(prompt, 16);
        long[] lora1 = BlockKeys.keys(prompt, 16, BlockKeys.root(Integer.valueOf(1)));
        long[] lora2 = BlockKeys.keys(prompt, 16, BlockKeys.root(2L));
        assertThat(BlockKeys.root((Integer) null)).isEqualTo(BlockKeys.ROOT);
        assertThat(BlockKeys.root((String) null)).isEqualTo(BlockKeys.ROOT);
        assertThat(BlockKeys.root("sql-adapter")).isEqualTo(BlockKeys.root("sql-adapter"))
                .isNotEqualTo(BlockKeys.root("chat-adapter")).isNotEqualTo(BlockKeys.ROOT);
        assertThat(lora1[0]).isNotEqualTo(base[0]).isNotEqualTo(lora2[0]);
        assertThat(lora1[1]).isNotEqualTo(base[1]).isNotEqualTo(lora2[1]);
    }

    @Test
    void tokensAreHashedAsLittleEndianIntsAfterTheParent() {
        int[] prompt = {1, 2, 3, 4};
        byte[] bytes = new byte[8 + 16];
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buf.putLong(BlockKeys.ROOT);
        for (int t : prompt) {
            buf.putInt(t);
        }
        long expected = com.dynatrace.hash4j.hashing.Hashing.xxh3_64(0x7072_6566_6978_4b56L).hashBytesToLong(bytes);
        assertThat(BlockKeys.key(BlockKeys.ROOT, prompt, 0, 4)).isEqualTo(expected);
    }

    @Test
    void outOfRangeBlocksAreRejected() {
        assertThatThrownBy(() -> BlockKeys.key(BlockKeys.ROOT, new int[10], 0, 16))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> BlockKeys.keys(new int[10], 0)).hasMessageContaining("blockSize");
    }
}
