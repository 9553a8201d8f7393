package dev.prefixrouter.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BlockHasherTest {

    @Test
    void hashesOnlyFullBlocks() {
        assertThat(BlockHasher.fullBlockHashes(Prompts.blocksAndTail("a", 3, 63), 16)).hasSize(3);
        assertThat(BlockHasher.fullBlockHashes("short", 16)).isEmpty();
    }

    @Test
    void aPrefixHasTheLeadingHashesOfTheWhole() {
        String whole = Prompts.blocks("sys", 2) + Prompts.blocks("user", 2);
        long[] prefix = BlockHasher.fullBlockHashes(Prompts.blocks("sys", 2), 16);
        long[] all = BlockHasher.fullBlockHashes(whole, 16);

        assertThat(all).startsWith(prefix);
        assertThat(all[2]).isNotEqualTo(all[3]);
    }

    @Test
    void sameTextAfterADifferentPrefixHashesDifferently() {
        long[] afterX = BlockHasher.fullBlockHashes(Prompts.blocks("x", 1) + Prompts.blocks("shared", 1), 16);
        long[] afterZ = BlockHasher.fullBlockHashes(Prompts.blocks("z", 1) + Prompts.blocks("shared", 1), 16);

        assertThat(afterX[1]).isNotEqualTo(afterZ[1]);
    }

    @Test
    void blockSizeSetsTheBlockLength() {
        String text = Prompts.blocks("a", 2); // 128 characters = 32 tokens
        assertThat(BlockHasher.fullBlockHashes(text, 8)).hasSize(4);
        assertThat(BlockHasher.fullBlockHashes(text, 32)).hasSize(1);
    }
}
