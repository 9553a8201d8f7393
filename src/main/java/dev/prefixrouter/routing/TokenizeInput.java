package dev.prefixrouter.routing;

import java.util.Arrays;
import java.util.Objects;

/**
 * Where a request's prompt stands in its body, as the engines' {@code /tokenize} takes it: the raw JSON of a chat
 * request's {@code messages} array (the engine applies its chat template) or of a completion's {@code prompt}
 * string. The bytes are the request body's own, not a copy; they must stay unchanged while the request is routed.
 * A string's end, and the messages' boundaries, are found only when asked for (by scanning the bytes), so requests
 * routed without tokens do not pay for them.
 */
public final class TokenizeInput {

    private final byte[] body;
    private final int start;
    private final boolean chat;
    private int end;
    private int[] elementEnds;

    /**
     * @param body  the request body's array
     * @param start offset of the value's first byte: {@code [} of the messages or {@code "} of the prompt
     * @param end   offset just past the value's last byte, or {@code -1} for a string, to be found on demand
     * @param chat  {@code messages} (true) or {@code prompt} (false)
     */
    public TokenizeInput(byte[] body, int start, int end, boolean chat) {
        this.body = Objects.requireNonNull(body, "body");
        Objects.checkIndex(start, body.length);
        if (end != -1) {
            Objects.checkFromToIndex(start, end, body.length);
        } else if (body[start] != '"') {
            throw new IllegalArgumentException("only a string's end can be found on demand");
        }
        this.start = start;
        this.end = end;
        this.chat = chat;
    }

    public byte[] body() {
        return body;
    }

    public int start() {
        return start;
    }

    /** Offset just past the value's last byte. */
    public int end() {
        if (end == -1) {
            end = stringEnd();
        }
        return end;
    }

    public int length() {
        return end() - start;
    }

    public boolean chat() {
        return chat;
    }

    /**
     * For a {@code messages} array, where each message ends: offsets just past each element's last byte, in order
     * (whitespace before the following comma or closing bracket excluded), so that {@code [start, ends[i])} is the
     * same bytes in a request and in a later one that repeats its first {@code i + 1} messages and adds more. Empty
     * for an empty array or a completion's prompt. The array is computed once and shared: do not modify it.
     */
    public int[] elementEnds() {
        if (elementEnds == null) {
            elementEnds = chat ? scanElementEnds() : new int[0];
        }
        return elementEnds;
    }

    /** One pass over the (valid: the parser read it) array: depth, strings and top-level commas. */
    private int[] scanElementEnds() {
        int[] ends = new int[8];
        int count = 0;
        int depth = 0;
        int lastByte = -1; // just past the last non-whitespace byte of the current element
        for (int i = start + 1; ; i++) {
            byte b = body[i];
            if (b == '"') {
                i++;
                while (body[i] != '"') {
                    i += body[i] == '\\' ? 2 : 1;
                }
                lastByte = i + 1;
            } else if (b == '{' || b == '[') {
                depth++;
                lastByte = i + 1;
            } else if ((b == '}' || b == ']') && depth > 0) {
                depth--;
                lastByte = i + 1;
            } else if ((b == ',' || b == ']') && depth == 0) {
                if (lastByte != -1) {
                    if (count == ends.length) {
                        ends = Arrays.copyOf(ends, count * 2);
                    }
                    ends[count++] = lastByte;
                }
                if (b == ']') {
                    return Arrays.copyOf(ends, count);
                }
                lastByte = -1;
            } else if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                lastByte = i + 1;
            }
        }
    }

    /** Past the closing quote of the (valid: the parser read it) JSON string at {@code start}. */
    private int stringEnd() {
        int i = start + 1;
        while (body[i] != '"') {
            i += body[i] == '\\' ? 2 : 1;
        }
        return i + 1;
    }
}
