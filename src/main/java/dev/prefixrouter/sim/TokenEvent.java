package dev.prefixrouter.sim;

/**
 * One generated token.
 *
 * @param index              0-based position of the token in the completion
 * @param promptTokens       prompt tokens of the request
 * @param cachedPromptTokens prompt tokens that were served from the prefix cache (no prefill)
 */
public record TokenEvent(int index, int promptTokens, int cachedPromptTokens) {
}
