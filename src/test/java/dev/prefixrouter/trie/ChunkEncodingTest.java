package dev.prefixrouter.trie;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A chunk's bytes are its UTF-8, and a surrogate without its partner in the chunk still has exactly one encoding. */
class ChunkEncodingTest {

    private static byte[] encode(String chunk) {
        byte[] out = new byte[3 * chunk.length()];
        return Arrays.copyOf(out, ChunkHasher.encode(chunk.toCharArray(), out));
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain ascii", "café", "€ and ‰", "𝄞 clef", "mixed 𝄞é€a"})
    void wellFormedTextIsItsUtf8(String text) {
        assertThat(encode(text)).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aSurrogateWithoutItsPartnerIsThreeBytesOfItsOwn() {
        String clef = "𝄞";
        assertThat(encode(clef.substring(0, 1))).containsExactly(0xED, 0xA0, 0xB4);
        assertThat(encode(clef.substring(1))).containsExactly(0xED, 0xB4, 0x9E);
        assertThat(encode("a" + clef.charAt(1) + clef.charAt(0))).as("reversed: two unpaired halves")
                .hasSize(7);
    }
}
