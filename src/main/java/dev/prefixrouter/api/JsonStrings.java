package dev.prefixrouter.api;

import dev.prefixrouter.error.ApiException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * JSON string values read in place from a UTF-8 body: {@link #measure} checks one (UTF-8 and escapes) and counts
 * its UTF-16 characters; a {@link Decoder} then turns it into characters piece by piece. Both start at the opening
 * quote and stop at the closing one. Characters are exactly those {@code String} Jackson would have produced,
 * unpaired surrogates included.
 */
final class JsonStrings {

    private JsonStrings() {
    }

    /** Set in {@link #measure}'s result when the string holds an escape or a non-ASCII character. */
    static final long NOT_PLAIN = 1L << 32;
    /**
     * Set in {@link #measure}'s result (with {@link #NOT_PLAIN}) when the string holds an escape. Without it the
     * string's bytes are its characters' UTF-8, checked.
     */
    static final long ESCAPED = 1L << 33;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long ONES = 0x0101010101010101L;
    private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;
    private static final long QUOTES = 0x2222222222222222L;

    /**
     * The number of UTF-16 characters of the JSON string whose opening quote is at {@code quote}, in a body that
     * ends before {@code limit}, in the low 32 bits; {@link #NOT_PLAIN} set unless it is all plain ASCII (no escape):
     * then its bytes are its characters; {@link #ESCAPED} set too if it holds an escape. Runs of plain ASCII are
     * checked eight bytes at a time.
     */
    static long measure(byte[] body, int limit, int quote) {
        long chars = 0;
        long flags = 0;
        int i = quote + 1;
        while (true) {
            while (i + 8 <= limit && plainWord((long) LONGS.get(body, i))) {
                i += 8;
                chars += 8;
            }
            if (i >= limit) {
                throw invalid("an unterminated string");
            }
            int b = body[i] & 0xFF;
            if (b == '"') {
                return Math.min(chars, Integer.MAX_VALUE) | flags;
            }
            if (b == '\\') {
                i += escapeLength(body, limit, i);
                chars++;
                flags = NOT_PLAIN | ESCAPED;
            } else if (b < 0x80) {
                i++;
                chars++;
            } else {
                int length = utf8Length(body, limit, i);
                chars += length == 4 ? 2 : 1;
                i += length;
                flags |= NOT_PLAIN;
            }
        }
    }

    /** Eight bytes of plain ASCII: no high bit, no backslash, no quote (a zero-byte test on each xor). */
    private static boolean plainWord(long word) {
        long backslash = word ^ BACKSLASHES;
        long quote = word ^ QUOTES;
        return ((word | ((backslash - ONES) & ~backslash) | ((quote - ONES) & ~quote)) & HIGH_BITS) == 0;
    }

    /** Bytes of the escape sequence at {@code i} (a backslash), checked. */
    private static int escapeLength(byte[] body, int limit, int i) {
        if (i + 1 >= limit) {
            throw invalid("an unterminated string");
        }
        switch (body[i + 1]) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                return 2;
            }
            case 'u' -> {
                for (int k = 2; k < 6; k++) {
                    if (i + k >= limit || hex(body[i + k]) < 0) {
                        throw invalid("a \\u escape without four hex digits");
                    }
                }
                return 6;
            }
            default -> throw invalid("an unknown escape \\" + (char) (body[i + 1] & 0xFF));
        }
    }

    /** Bytes of the multi-byte UTF-8 sequence at {@code i}, checked as Java's decoder would (no overlongs, no
     * encoded surrogates, nothing above U+10FFFF). */
    private static int utf8Length(byte[] body, int limit, int i) {
        int b = body[i] & 0xFF;
        int length;
        int min;
        if (b >= 0xC2 && b <= 0xDF) {
            length = 2;
            min = 0x80;
        } else if (b >= 0xE0 && b <= 0xEF) {
            length = 3;
            min = 0x800;
        } else if (b >= 0xF0 && b <= 0xF4) {
            length = 4;
            min = 0x10000;
        } else {
            throw invalid("invalid UTF-8 (byte 0x" + Integer.toHexString(b) + ")");
        }
        int code = b & (0x7F >> length);
        for (int k = 1; k < length; k++) {
            if (i + k >= limit) {
                throw invalid("an unterminated string");
            }
            int c = body[i + k] & 0xFF;
            if ((c & 0xC0) != 0x80) {
                throw invalid("invalid UTF-8 (byte 0x" + Integer.toHexString(c) + ")");
            }
            code = (code << 6) | (c & 0x3F);
        }
        if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
            throw invalid("invalid UTF-8 (an overlong, surrogate or out-of-range sequence)");
        }
        return length;
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    private static ApiException invalid(String detail) {
        return ApiException.invalidRequest(null, "Request body is not valid JSON: " + detail + " in a string.");
    }

    /** Decodes one string at a time, in pieces; reusable. The string must have passed {@link #measure}. */
    static final class Decoder {
        private int position;
        private boolean done = true;
        private char lowSurrogate;
        private boolean hasLowSurrogate;

        /** Where the next undecoded byte of the string is. */
        int position() {
            return position;
        }

        /** Whether the last piece ended between the halves of a surrogate pair (the low one is still to come). */
        boolean betweenSurrogates() {
            return hasLowSurrogate;
        }

        /** Moves past {@code bytes} bytes of whole characters without escapes that the caller consumed itself. */
        void skip(int bytes) {
            position += bytes;
        }

        void start(int quote) {
            position = quote + 1;
            done = false;
            hasLowSurrogate = false;
        }

        /** Writes up to {@code room} next characters into {@code target}; 0 once the string is over. */
        int decode(byte[] body, char[] target, int offset, int room) {
            int written = 0;
            if (hasLowSurrogate && room > 0) {
                target[offset + written++] = lowSurrogate;
                hasLowSurrogate = false;
            }
            int p = position;
            while (written < room && !done) {
                int b = body[p];
                if (b >= 0x20 && b != '"' && b != '\\') { // the common case: plain ASCII
                    target[offset + written++] = (char) b;
                    p++;
                } else if (b == '"') {
                    done = true;
                } else if (b == '\\') {
                    p = escape(body, p, target, offset + written++);
                } else if (b >= 0) {
                    target[offset + written++] = (char) b; // a control character; the parser has rejected those
                    p++;
                } else {
                    int code = codePoint(body, p);
                    p += code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
                    if (code < 0x10000) {
                        target[offset + written++] = (char) code;
                    } else {
                        target[offset + written++] = Character.highSurrogate(code);
                        if (written < room) {
                            target[offset + written++] = Character.lowSurrogate(code);
                        } else {
                            lowSurrogate = Character.lowSurrogate(code);
                            hasLowSurrogate = true;
                        }
                    }
                }
            }
            position = p;
            return written;
        }

        private static int escape(byte[] body, int p, char[] target, int at) {
            byte e = body[p + 1];
            target[at] = switch (e) {
                case 'b' -> '\b';
                case 'f' -> '\f';
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                case 'u' -> (char) ((hex(body[p + 2]) << 12) | (hex(body[p + 3]) << 8) | (hex(body[p + 4]) << 4)
                        | hex(body[p + 5]));
                default -> (char) e; // " \ /
            };
            return p + (e == 'u' ? 6 : 2);
        }

        private static int codePoint(byte[] body, int p) {
            int b = body[p] & 0xFF;
            if (b < 0xE0) {
                return ((b & 0x1F) << 6) | (body[p + 1] & 0x3F);
            }
            if (b < 0xF0) {
                return ((b & 0x0F) << 12) | ((body[p + 1] & 0x3F) << 6) | (body[p + 2] & 0x3F);
            }
            return ((b & 0x07) << 18) | ((body[p + 1] & 0x3F) << 12) | ((body[p + 2] & 0x3F) << 6)
                    | (body[p + 3] & 0x3F);
        }
    }
}
