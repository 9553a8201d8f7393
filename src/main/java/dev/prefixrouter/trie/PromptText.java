package dev.prefixrouter.trie;

import java.util.Objects;

/**
 * A prompt's characters (UTF-16 code units, as in a {@link String}), read front to back without having to exist as
 * one string: the router reads them straight out of the request's bytes, so routing a prompt makes no copy of it.
 * Implementations are immutable; each {@link #reader()} starts at the beginning.
 */
public interface PromptText {

    /** Number of characters. */
    int length();

    /** A fresh reader positioned at the first character. */
    Reader reader();

    /** Reads the characters in order. Not thread-safe; one per pass. */
    interface Reader {

        /**
         * Copies up to {@code count} next characters into {@code target} from {@code offset}; returns how many,
         * fewer only at the end of the text (0 there).
         */
        int read(char[] target, int offset, int count);

        /**
         * If the UTF-8 of the next {@code count} characters stands in one byte array, every surrogate among them
         * paired inside them (so those bytes are exactly the chunk encoding {@code ChunkHasher} would write),
         * points {@code span} at those bytes, moves past the characters and returns true; else returns false and
         * moves nowhere. Lets the hasher work on the bytes in place; a reader that cannot offer them says false.
         */
        default boolean nextUtf8(int count, Utf8Span span) {
            return false;
        }
    }

    /** Where a run of UTF-8 bytes stands: {@code bytes[offset, offset + length)}. Reused, one per pass. */
    final class Utf8Span {
        private byte[] bytes;
        private int offset;
        private int length;

        public void set(byte[] bytes, int offset, int length) {
            this.bytes = bytes;
            this.offset = offset;
            this.length = length;
        }

        public byte[] bytes() {
            return bytes;
        }

        public int offset() {
            return offset;
        }

        public int length() {
            return length;
        }
    }

    /** The first {@code count} characters (fewer if the text is shorter), as a new string. */
    default String prefix(int count) {
        char[] chars = new char[Math.min(count, length())];
        int filled = 0;
        Reader reader = reader();
        while (filled < chars.length) {
            int read = reader.read(chars, filled, chars.length - filled);
            if (read == 0) {
                break;
            }
            filled += read;
        }
        return new String(chars, 0, filled);
    }

    /** A text over characters that already exist, e.g. a {@link String}. */
    static PromptText of(CharSequence text) {
        Objects.requireNonNull(text, "text");
        return new PromptText() {
            @Override
            public int length() {
                return text.length();
            }

            @Override
            public Reader reader() {
                return new Reader() {
                    private int position;

                    @Override
                    public int read(char[] target, int offset, int count) {
                        int n = Math.min(count, text.length() - position);
                        if (text instanceof String string) {
                            string.getChars(position, position + n, target, offset);
                        } else {
                            for (int i = 0; i < n; i++) {
                                target[offset + i] = text.charAt(position + i);
                            }
                        }
                        position += n;
                        return n;
                    }
                };
            }

            @Override
            public String toString() {
                return text.toString();
            }
        };
    }
}
