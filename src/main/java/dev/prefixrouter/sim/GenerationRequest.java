package dev.prefixrouter.sim;

import java.util.Iterator;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A generation request as the simulated engine reads it, with vLLM's validation errors for what it cannot serve.
 */
record GenerationRequest(boolean chat, String model, String prompt, int maxTokens, boolean stream,
        boolean includeUsage) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Thrown with the status and vLLM-style body to answer. */
    static final class Invalid extends RuntimeException {
        final int status;

        Invalid(int status, String type, String param, String message) {
            super(EngineResponses.error(message, type, param, status), null, false, false);
            this.status = status;
        }
    }

    static GenerationRequest parse(boolean chat, byte[] body, String servedModel, int defaultMaxTokens) {
        return parse(chat, tree(body), servedModel, defaultMaxTokens);
    }

    /** A chat request if the body has {@code messages}, else a completion request. */
    static GenerationRequest parseEither(byte[] body, String servedModel, int defaultMaxTokens) {
        JsonNode root = tree(body);
        return parse(root.has("messages"), root, servedModel, defaultMaxTokens);
    }

    private static JsonNode tree(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new Invalid(400, "BadRequestError", null, "Invalid JSON body: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new Invalid(400, "BadRequestError", null, "Request body must be a JSON object");
        }
        return root;
    }

    private static GenerationRequest parse(boolean chat, JsonNode root, String servedModel, int defaultMaxTokens) {
        String model = root.path("model").asString("");
        if (!servedModel.equals(model)) {
            throw new Invalid(404, "NotFoundError", "model", "The model `" + model + "` does not exist.");
        }
        JsonNode limit = root.has("max_completion_tokens") ? root.get("max_completion_tokens") : root.get("max_tokens");
        int maxTokens = limit == null || limit.isNull() ? defaultMaxTokens : limit.asInt(0);
        if (maxTokens < 1) {
            throw new Invalid(400, "BadRequestError", "max_tokens", "max_tokens must be at least 1, got "
                    + (limit == null ? "null" : limit.toString()) + ".");
        }
        String prompt = chat ? messagesText(root.path("messages")) : promptText(root.path("prompt"));
        boolean stream = root.path("stream").asBoolean(false);
        boolean includeUsage = root.path("stream_options").path("include_usage").asBoolean(false);
        return new GenerationRequest(chat, model, prompt, maxTokens, stream, includeUsage);
    }

    SimRequest toSimRequest() {
        return new SimRequest(prompt, maxTokens);
    }

    /**
     * The prompt text a chat request is cached and tokenized as: the messages' text contents joined by newlines
     * (the simulator has no chat template). {@code /tokenize} uses this too, so its ids match the events'.
     */
    static String messagesText(JsonNode messages) {
        if (!messages.isArray()) {
            throw new Invalid(400, "BadRequestError", "messages", "messages must be a list");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode message : messages) {
            JsonNode content = message.path("content");
            if (content.isString()) {
                append(text, content.asString());
            } else if (content.isArray()) {
                for (JsonNode part : content) {
                    if (part.isString()) {
                        append(text, part.asString());
                    } else if (part.path("text").isString()) {
                        append(text, part.path("text").asString());
                    }
                }
            }
        }
        return text.toString();
    }

    /** The prompt text a completion request is cached and tokenized as. */
    static String promptText(JsonNode prompt) {
        if (prompt.isString()) {
            return prompt.asString();
        }
        if (!prompt.isArray()) {
            throw new Invalid(400, "BadRequestError", "prompt", "prompt must be a string or a list");
        }
        StringBuilder text = new StringBuilder();
        for (Iterator<JsonNode> it = prompt.iterator(); it.hasNext(); ) {
            JsonNode element = it.next();
            if (element.isString()) {
                append(text, element.asString());
            } else if (element.isNumber()) {
                text.append(element.asLong()).append(' ');
            } else if (element.isArray()) {
                element.forEach(id -> text.append(id.asLong()).append(' '));
                text.append('\n');
            }
        }
        return text.toString();
    }

    private static void append(StringBuilder text, String part) {
        if (!text.isEmpty()) {
            text.append('\n');
        }
        text.append(part);
    }
}
