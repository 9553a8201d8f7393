package dev.prefixrouter.routing;

import java.util.Objects;

/**
 * Where a request's prompt stands in its body, as the engines' {@code /tokenize} takes it: the raw JSON of a chat
 * request's {@code messages} array (the engine applies its chat template) or of a completion's {@code prompt}
 * string. The bytes are the request body's own, not a copy; they must stay unchanged while the request is routed.
 * A string's end is found only when asked for (by scanning to its closing quote), so requests routed without
 * tokens do not pay for it.
 */
public final class TokenizeInput {

    private final byte[] body;
    private final int start;
    private final boolean chat;
    private int end;

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

    /** Past the closing quote of the (valid: the parser read it) JSON string at {@code start}. */
    private int stringEnd() {
        int i = start + 1;
        while (body[i] != '"') {
            i += body[i] == '\\' ? 2 : 1;
        }
        return i + 1;
    }
}
