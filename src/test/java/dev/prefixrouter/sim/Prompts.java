package dev.prefixrouter.sim;

/** Prompt text measured in KV blocks of the default size (16 tokens = 64 characters). */
final class Prompts {

    static final int BLOCK_CHARS = 16 * SimRequest.CHARS_PER_TOKEN;

    private Prompts() {
    }

    /** {@code count} full blocks of text that no other tag produces. */
    static String blocks(String tag, int count) {
        StringBuilder text = new StringBuilder(count * BLOCK_CHARS);
        for (int i = 0; i < count; i++) {
            text.append((tag + ':' + i + ';').repeat(BLOCK_CHARS), 0, BLOCK_CHARS);
        }
        return text.toString();
    }

    /** {@code count} full blocks followed by a partial block of {@code tailChars} characters. */
    static String blocksAndTail(String tag, int count, int tailChars) {
        return blocks(tag, count) + "t".repeat(tailChars);
    }
}
