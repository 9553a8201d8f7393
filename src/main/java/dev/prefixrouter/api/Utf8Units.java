package dev.prefixrouter.api;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Where a given number of UTF-16 characters ends in valid UTF-8 bytes, found without decoding them. Each byte that
 * is not a continuation byte ({@code 10xxxxxx}) starts one character, and a four-byte lead ({@code 11110xxx}) starts
 * a surrogate pair, two characters: so characters = bytes − continuation bytes + four-byte leads. Bytes are counted
 * eight at a time (SWAR on a little-endian long), the last few one by one.
 */
final class Utf8Units {

    private Utf8Units() {
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    /**
     * The offset just past {@code units} UTF-16 characters of the UTF-8 starting at {@code from}, or -1 if that
     * point falls between the two halves of a surrogate pair (inside a four-byte sequence). {@code from} must start
     * a character, and the bytes from it must be valid UTF-8 (no bytes {@code F5}–{@code FF}) holding at least
     * {@code units} characters before anything else: the end is then followed by a byte that starts something, so
     * no whole word read here reaches past it.
     */
    static int end(byte[] bytes, int from, int units) {
        int i = from;
        int left = units;
        while (i + 8 <= bytes.length) {
            long word = (long) LONGS.get(bytes, i);
            // A word holding the end counts at least one unit past it (the byte there starts one), so it stops here.
            int inWord = 8 - Long.bitCount(word & ~(word << 1) & HIGH_BITS)
                    + Long.bitCount(word & (word << 1) & (word << 2) & (word << 3) & HIGH_BITS);
            if (inWord > left) {
                break;
            }
            left -= inWord;
            i += 8;
        }
        while (true) {
            int b = bytes[i];
            if ((b & 0xC0) == 0x80) {
                i++; // the rest of a character already counted
            } else if (left == 0) {
                return i;
            } else if ((b & 0xF8) == 0xF0) {
                if (left == 1) {
                    return -1;
                }
                left -= 2;
                i++;
            } else {
                left--;
                i++;
            }
        }
    }
}
