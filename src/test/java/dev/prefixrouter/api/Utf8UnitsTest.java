package dev.prefixrouter.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Counting characters in UTF-8 finds, from every character start and for every count, the byte where that many
 * characters end, or says the end splits a surrogate pair: checked against {@link String}'s own UTF-8 of the text,
 * with the text anywhere in a larger array and flush against its end.
 */
class Utf8UnitsTest {

    @Test
    void everyEndIsWhereStringsUtf8PutsIt() {
        SplittableRandom random = new SplittableRandom(5);
        for (int round = 0; round < 300; round++) {
            String text = randomText(random, random.nextInt(120));
            byte[] utf8 = (text + "\"").getBytes(StandardCharsets.UTF_8);
            int pad = random.nextInt(20);
            byte[] bytes = new byte[pad + utf8.length + (random.nextBoolean() ? 0 : random.nextInt(20))];
            Arrays.fill(bytes, (byte) 'x');
            System.arraycopy(utf8, 0, bytes, pad, utf8.length);
            int[] offsets = byteOffsets(text);
            for (int from = 0; from <= text.length(); from++) {
                if (offsets[from] < 0) {
                    continue;
                }
                for (int count = 0; from + count <= text.length(); count++) {
                    int expected = offsets[from + count] < 0 ? -1 : pad + offsets[from + count];
                    assertThat(Utf8Units.end(bytes, pad + offsets[from], count))
                            .as("round %d, %d characters from %d of %s", round, count, from, text)
                            .isEqualTo(expected);
                }
            }
        }
    }

    /** Per character index, the UTF-8 offset where it starts, -1 between the halves of a pair. */
    private static int[] byteOffsets(String text) {
        int[] offsets = new int[text.length() + 1];
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            offsets[i] = Character.isLowSurrogate(c) ? -1 : bytes;
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        offsets[text.length()] = bytes;
        return offsets;
    }

    private static String randomText(SplittableRandom random, int codePoints) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            switch (random.nextInt(5)) {
                case 0 -> out.append((char) random.nextInt(0x20, 0x80));
                case 1 -> out.append((char) random.nextInt(0x80, 0x800));
                case 2 -> out.append((char) random.nextInt(0x800, 0xD800));
                case 3 -> out.append((char) random.nextInt(0xE000, 0x10000));
                default -> out.appendCodePoint(random.nextInt(0x10000, 0x110000));
            }
        }
        return out.toString();
    }
}
