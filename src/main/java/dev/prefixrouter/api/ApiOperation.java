package dev.prefixrouter.api;

/** The OpenAI operations the router forwards, with the upstream path and the field that carries the prompt. */
public enum ApiOperation {
    CHAT_COMPLETIONS("/v1/chat/completions", "messages"),
    COMPLETIONS("/v1/completions", "prompt"),
    EMBEDDINGS("/v1/embeddings", "input");

    private final String path;
    private final String promptField;

    ApiOperation(String path, String promptField) {
        this.path = path;
        this.promptField = promptField;
    }

    public String path() {
        return path;
    }

    /** The body field that must be present and that routing reads the prompt text from. */
    public String promptField() {
        return promptField;
    }
}
