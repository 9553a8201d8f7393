package dev.prefixrouter.api;

import java.util.List;

/**
 * The OpenAI-style operations vLLM serves that the router forwards: their paths, which body fields hold the text
 * prefix-aware routing keys on (in the order they appear in the body; none: the request goes by load), and which
 * of them a request must have.
 */
public enum ApiOperation {
    CHAT_COMPLETIONS(List.of("/v1/chat/completions"), List.of("messages"), "messages"),
    COMPLETIONS(List.of("/v1/completions"), List.of("prompt"), "prompt"),
    EMBEDDINGS(List.of("/v1/embeddings"), List.of("input"), "input"),
    /** {@code instructions} and {@code input} (a string or message items); may follow a stored response. */
    RESPONSES(List.of("/v1/responses"), List.of("instructions", "input"), "input"),
    /** A completion's {@code prompt} or a chat's {@code messages}. */
    TOKENIZE(List.of("/tokenize"), List.of("prompt", "messages"), null),
    DETOKENIZE(List.of("/detokenize"), List.of(), null),
    RERANK(List.of("/v1/rerank", "/rerank"), List.of("query", "documents"), "query"),
    SCORE(List.of("/v1/score", "/score"), List.of("text_1", "text_2"), "text_1"),
    POOLING(List.of("/pooling"), List.of("input", "messages"), null),
    CLASSIFY(List.of("/classify"), List.of("input", "messages"), null),
    /** multipart/form-data: the model is a form field; the audio goes by load. */
    AUDIO_TRANSCRIPTIONS(List.of("/v1/audio/transcriptions"), List.of(), null),
    AUDIO_TRANSLATIONS(List.of("/v1/audio/translations"), List.of(), null);

    private final List<String> paths;
    private final List<String> promptFields;
    private final String requiredField;

    ApiOperation(List<String> paths, List<String> promptFields, String requiredField) {
        this.paths = paths;
        this.promptFields = promptFields;
        this.requiredField = requiredField;
    }

    /** The main path; {@link #paths()} has the others vLLM also serves it on. */
    public String path() {
        return paths.get(0);
    }

    public List<String> paths() {
        return paths;
    }

    /** The body fields routing reads the prompt text from. */
    public List<String> promptFields() {
        return promptFields;
    }

    /** The body field that must be present, or {@code null}. */
    public String promptField() {
        return requiredField;
    }

    /** Whether the body is multipart/form-data rather than JSON. */
    public boolean multipart() {
        return this == AUDIO_TRANSCRIPTIONS || this == AUDIO_TRANSLATIONS;
    }
}
