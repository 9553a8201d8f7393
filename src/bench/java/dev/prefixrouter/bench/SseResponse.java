package dev.prefixrouter.bench;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads an OpenAI-style chat completion stream as its buffers arrive: frames server-sent events (an event may be
 * split over buffers, a buffer may hold several), and keeps what the benchmark measures: when content tokens came,
 * the answer text, the usage chunk's prompt and cached tokens, whether {@code [DONE]} came, and any error event.
 * One instance per response; not thread-safe (a response's buffers arrive one at a time).
 */
final class SseResponse {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final StringBuilder pending = new StringBuilder();
    private final StringBuilder answer = new StringBuilder();
    private long firstTokenNanos;
    private long lastTokenNanos;
    private int tokens;
    private int promptTokens;
    private int cachedTokens;
    private boolean done;
    private String error;

    /** A buffer of the body arrived at {@code nanos}. */
    void feed(String text, long nanos) {
        pending.append(text);
        int end;
        while ((end = pending.indexOf("\n\n")) >= 0) {
            String event = pending.substring(0, end);
            pending.delete(0, end + 2);
            for (String line : event.split("\n")) {
                if (line.startsWith("data:")) {
                    data(line.substring(5).trim(), nanos);
                }
            }
        }
    }

    private void data(String payload, long nanos) {
        if (payload.equals("[DONE]")) {
            done = true;
            return;
        }
        JsonNode chunk = JSON.readTree(payload);
        if (chunk.has("error")) {
            error = "stream error: " + chunk.path("error").path("message").asString("unknown");
            return;
        }
        JsonNode choices = chunk.path("choices");
        if (choices.isArray() && !choices.isEmpty()) {
            String content = choices.get(0).path("delta").path("content").asString("");
            if (!content.isEmpty()) {
                if (tokens == 0) {
                    firstTokenNanos = nanos;
                }
                lastTokenNanos = nanos;
                tokens++;
                answer.append(content);
            }
        }
        JsonNode usage = chunk.path("usage");
        if (usage.isObject()) {
            promptTokens = usage.path("prompt_tokens").asInt(0);
            cachedTokens = usage.path("prompt_tokens_details").path("cached_tokens").asInt(0);
        }
    }

    RequestResult result(long user, int round, long startNanos, long endNanos) {
        String failure = error != null ? error
                : !done ? "stream ended without [DONE]"
                : tokens == 0 ? "no tokens" : null;
        return new RequestResult(user, round, startNanos, firstTokenNanos, lastTokenNanos, endNanos, tokens,
                promptTokens, cachedTokens, answer.toString().trim(), failure);
    }
}
