package dev.prefixrouter.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SimTokenizerTest {

    @Test
    void oneIdPerFourCharactersAndOneForAPartialTail() {
        assertThat(SimTokenizer.tokenIds("")).isEmpty();
        assertThat(SimTokenizer.tokenIds("abcd")).hasSize(1);
        assertThat(SimTokenizer.tokenIds("abcde")).hasSize(2);
        assertThat(SimTokenizer.count("abcdefghi")).isEqualTo(3);
    }

    @Test
    void idsAreDeterministicNonNegativeAndDependOnlyOnThePiece() {
        int[] ids = SimTokenizer.tokenIds("abcdabcdwxyz");
        assertThat(ids[0]).isEqualTo(ids[1]).isNotEqualTo(ids[2]);
        assertThat(SimTokenizer.tokenIds("abcdabcdwxyz")).containsExactly(ids);
        int[] many = SimTokenizer.tokenIds(Prompts.blocks("x", 64));
        assertThat(java.util.Arrays.stream(many).min().orElseThrow()).isNotNegative();
    }

    @Test
    void aRangeIsTheSliceOfTheWhole() {
        String text = Prompts.blocksAndTail("r", 3, 5);
        int[] all = SimTokenizer.tokenIds(text);
        assertThat(SimTokenizer.tokenIds(text, 16, 48)).containsExactly(java.util.Arrays.copyOfRange(all, 16, 48));
        assertThatThrownBy(() -> SimTokenizer.tokenIds(text, 0, all.length + 1))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
