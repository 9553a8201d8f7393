package dev.prefixrouter.sim;

/**
 * A generation request as the engine model sees it.
 *
 * @param prompt    the prompt text (for chat, the message contents joined in order)
 * @param maxTokens how many tokens to generate (at least 1)
 */
public record SimRequest(String prompt, int maxTokens) {

    /**
     * The simulator's tokenizer: about four characters per token, as for English text with BPE tokenizers. (The
     * router assumes the same ratio for real engines; a demo test checks that the two agree.)
     */
    public static final int CHARS_PER_TOKEN = 4;

    public SimRequest {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, was " + maxTokens);
        }
    }

    /** Estimated prompt tokens: one per {@link #CHARS_PER_TOKEN} characters, rounded up, at least 1. */
    public int promptTokens() {
        return Math.max(1, (prompt.length() + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN);
    }
}
