package dev.prefixrouter.api;

import dev.prefixrouter.trie.PromptText;
import java.util.Arrays;

/**
 * The text routing keys on, read straight out of the request body's bytes: a list of places in the body (JSON
 * strings, runs of token ids) and the separators between them, decoded on every read. No copy of the prompt is
 * made; the body it points into must stay unchanged while the prompt is used (it is, until routing is done).
 *
 * <p>The text is exactly what {@link OpenAiRequestParser} documents: texts joined with {@code '\n'} (none before
 * the first non-empty one), each token id as decimal digits and a space, a newline after each array of token ids.
 * {@link #length()} is known from the parse, which also checked every string's UTF-8 and escapes
 * ({@link JsonStrings#measure}).
 *
 * <p>A reader offers a run of characters in place ({@link PromptText.Reader#nextUtf8}) when the run lies inside one
 * string without escapes, ASCII or not: that string's bytes are its characters' UTF-8. Strings with an escape, runs
 * that cross a separator or a string's end, and runs that would end or start between the halves of a surrogate
 * pair are decoded instead (escapes are rare in prompts; a split pair needs the WTF-8 the body does not hold).
 */
final class JsonPrompt implements PromptText {

    /** A JSON string: a newline first if text came before it. */
    static final int TEXT = 0;
    /** A JSON string of plain ASCII without escapes: its bytes are its characters. Otherwise as {@link #TEXT}. */
    static final int PLAIN_TEXT = 3;
    /**
     * A JSON string without escapes that holds non-ASCII characters: its bytes are its characters' UTF-8.
     * Otherwise as {@link #TEXT}.
     */
    static final int UTF8_TEXT = 4;
    /** A run of token ids in one array: each as its digits and a space. */
    static final int TOKEN_IDS = 1;
    /** One newline (after an array of token ids). */
    static final int NEWLINE = 2;

    private final byte[] body;
    /**
     * Triples: kind, byte offset (of the string's opening quote, or of the run's first number), and the string's
     * length in characters or the run's length in token ids.
     */
    private final int[] segments;
    private final int segmentCount;
    private final int length;

    private JsonPrompt(byte[] body, int[] segments, int segmentCount, int length) {
        this.body = body;
        this.segments = segments;
        this.segmentCount = segmentCount;
        this.length = length;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public PromptText.Reader reader() {
        return new Reader();
    }

    /** The whole text as a string: for tests and debugging only, never on the request path. */
    @Override
    public String toString() {
        return prefix(length);
    }

    /** Collects a prompt's pieces during the parse, in order; the prompt field may be read again (last one wins). */
    static final class Builder {
        private final byte[] body;
        private final int limit;
        private int[] segments = new int[12];
        private int count;
        private long length;
        private boolean inRun;

        /** For a body in {@code body[0, limit)}. */
        Builder(byte[] body, int limit) {
            this.body = body;
            this.limit = limit;
        }

        void reset() {
            count = 0;
            length = 0;
            inRun = false;
        }

        /** A JSON string whose opening quote is at {@code quote}. */
        void text(int quote) {
            long measured = JsonStrings.measure(body, limit, quote);
            int chars = (int) measured;
            if (length > 0) {
                length++;
            }
            int kind = (measured & JsonStrings.NOT_PLAIN) == 0 ? PLAIN_TEXT
                    : (measured & JsonStrings.ESCAPED) == 0 ? UTF8_TEXT : TEXT;
            add(kind, quote, chars);
            length += chars;
            inRun = false;
        }

        /** Whether the next token id continues the current run (then its offset is not needed). */
        boolean continuesRun() {
            return inRun;
        }

        /**
         * A token id whose JSON number starts at {@code offset} (ignored within a run), routed as {@code digits}
         * characters and a space.
         */
        void tokenId(int offset, int digits) {
            if (inRun) {
                segments[(count - 1) * 3 + 2]++;
            } else {
                add(TOKEN_IDS, offset, 1);
                inRun = true;
            }
            length += digits + 1;
        }

        /** The end of an array of token ids, or of anything else that breaks a run of them. */
        void endRun() {
            inRun = false;
        }

        void newline() {
            add(NEWLINE, 0, 0);
            length++;
            inRun = false;
        }

        JsonPrompt build() {
            if (length > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("prompt longer than a Java string");
            }
            return new JsonPrompt(body, Arrays.copyOf(segments, count * 3), count, (int) length);
        }

        private void add(int kind, int offset, int run) {
            if ((count + 1) * 3 > segments.length) {
                segments = Arrays.copyOf(segments, segments.length * 2);
            }
            segments[count * 3] = kind;
            segments[count * 3 + 1] = offset;
            segments[count * 3 + 2] = run;
            count++;
        }
    }

    /** Decodes the segments in order; offers runs inside a string without escapes in place ({@link #nextUtf8}). */
    private final class Reader implements PromptText.Reader {
        private int segment = -1;
        private int remainingChars;
        private int stringKind;
        private int position;
        private int remainingIds;
        private boolean inString;
        private boolean emittedAny;
        private char pending = 0;
        private boolean hasPending;
        private final JsonStrings.Decoder decoder = new JsonStrings.Decoder();

        @Override
        public int read(char[] target, int offset, int count) {
            int written = 0;
            while (written < count) {
                if (hasPending) {
                    target[offset + written++] = pending;
                    hasPending = false;
                    emittedAny = true;
                    continue;
                }
                if (inString) {
                    int n = decoder.decode(body, target, offset + written, count - written);
                    if (n > 0) {
                        written += n;
                        remainingChars -= n;
                        emittedAny = true;
                        continue;
                    }
                    inString = false;
                }
                if (remainingIds > 0) {
                    written += tokenId(target, offset + written, count - written);
                    continue;
                }
                if (!nextSegment()) {
                    break;
                }
            }
            return written;
        }

        private boolean nextSegment() {
            if (++segment >= segmentCount) {
                return false;
            }
            int kind = segments[segment * 3];
            int start = segments[segment * 3 + 1];
            switch (kind) {
                case TEXT, PLAIN_TEXT, UTF8_TEXT -> {
                    stringKind = kind;
                    if (emittedAny) {
                        pending = '\n';
                        hasPending = true;
                    }
                    decoder.start(start);
                    remainingChars = segments[segment * 3 + 2];
                    inString = true;
                }
                case TOKEN_IDS -> {
                    position = start;
                    remainingIds = segments[segment * 3 + 2];
                }
                default -> {
                    pending = '\n';
                    hasPending = true;
                }
            }
            return true;
        }

        /**
         * The next {@code count} characters in place, when they are all inside the current string and that string
         * has no escapes (the parse checked its UTF-8): then its bytes are their UTF-8, {@code count} of them if it
         * is plain ASCII, else up to where {@link Utf8Units#end} counts {@code count} characters. Not when the run
         * would start or end between the halves of a surrogate pair: each half then needs its own WTF-8 bytes.
         */
        @Override
        public boolean nextUtf8(int count, PromptText.Utf8Span span) {
            // Between segments (as at the start) step into the next one, as read would: no character is passed.
            if (!hasPending && !inString && remainingIds == 0 && !nextSegment()) {
                return false;
            }
            if (hasPending || !inString || stringKind == TEXT || remainingChars < count) {
                return false;
            }
            int from = decoder.position();
            int to;
            if (stringKind == PLAIN_TEXT) {
                to = from + count;
            } else {
                if (decoder.betweenSurrogates()) {
                    return false;
                }
                to = Utf8Units.end(body, from, count);
                if (to < 0) {
                    return false;
                }
            }
            span.set(body, from, to - from);
            decoder.skip(to - from);
            remainingChars -= count;
            emittedAny |= count > 0;
            return true;
        }

        /**
         * Writes what is left of the current token id and its trailing space, as far as fits. The id's text is read
         * from the body as written ({@code -0} is written as Java writes zero, {@code 0}).
         */
        private int tokenId(char[] target, int offset, int room) {
            int written = 0;
            while (written < room) {
                byte b = body[position];
                if (b >= '0' && b <= '9') {
                    target[offset + written++] = (char) b;
                    position++;
                } else if (b == '-') {
                    if (body[position + 1] == '0' && !isDigit(body[position + 2])) {
                        position++; // "-0": Long.toString(0) has no sign
                    } else {
                        target[offset + written++] = '-';
                        position++;
                    }
                } else {
                    target[offset + written++] = ' ';
                    emittedAny = true;
                    if (--remainingIds > 0) {
                        skipToNextNumber();
                    }
                    return written;
                }
            }
            emittedAny = true;
            return written;
        }

        private void skipToNextNumber() {
            while (!isDigit(body[position]) && body[position] != '-') {
                position++;
            }
        }
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }
}
