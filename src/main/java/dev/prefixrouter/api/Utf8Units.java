package dev.prefixrouter.api;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Where a given number of UTF-16 characters ends in valid UTF-8 bytes, found without decoding them. Each byte that
 * is not a continuation byte ({@code 10xxxxxx}) starts one character, and a four-byte lead ({@code 11110xxx}) starts
 * a surrogate pair, two characters: so characters = bytes − continuation bytes + four-byte leads. Bytes are counted
 * eight or 32 at a time (SWAR on little-endian longs), the last few one by one.
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
     * {@code units} characters before anything else.
     *
     * <p>The end is followed by a byte that starts a character (or the quote after the string), so a word that
     * holds the end counts more characters than are left before it: a word that counts no more is passed whole.
     * A word starts at most 9 characters (seven ASCII bytes and a four-byte lead), so while 36 are left, four
     * words at a time are passed without that check (and without counting, if all four are ASCII).
     */
    static int end(byte[] bytes, int from, int units) {
        int i = from;
        int left = units;
        while (left >= 36 && i + 32 <= bytes.length) {
            long a = (long) LONGS.get(bytes, i);
            long b = (long) LONGS.get(bytes, i + 8);
            long c = (long) LONGS.get(bytes, i + 16);
            long d = (long) LONGS.get(bytes, i + 24);
            i += 32;
            if (((a | b | c | d) & HIGH_BITS) == 0) {
                left -= 32;
                continue;
            }
            // Each word's marks moved to a bit of their own in every byte: one bit count for all four words.
            left -= 32 - Long.bitCount((continuations(a) >>> 7) | (continuations(b) >>> 6)
                    | (continuations(c) >>> 5) | (continuations(d) >>> 4))
                    + Long.bitCount((fourByteLeads(a) >>> 7) | (fourByteLeads(b) >>> 6)
                    | (fourByteLeads(c) >>> 5) | (fourByteLeads(d) >>> 4));
        }
        while (i + 8 <= bytes.length) {
            long word = (long) LONGS.get(bytes, i);
            int inWord = 8 - Long.bitCount(continuations(word)) + Long.bitCount(fourByteLeads(word));
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

    /** The high bit of each byte of the word that is a continuation byte ({@code 10xxxxxx}). */
    private static long continuations(long word) {
        return word & ~(word << 1) & HIGH_BITS;
    }

    /** The high bit of each byte of the word that leads four bytes ({@code 11110xxx}; valid UTF-8 has no higher). */
    private static long fourByteLeads(long word) {
        return word & (word << 1) & (word << 2) & (word << 3) & HIGH_BITS;
    }
}
