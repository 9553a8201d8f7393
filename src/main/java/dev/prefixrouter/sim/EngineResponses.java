package dev.prefixrouter.sim;

import java.util.List;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * Renders the simulated engine's bodies in vLLM's OpenAI-server formats: streamed chunks
 * ({@code chat.completion.chunk}, {@code text_completion}), the usage chunk, whole responses and errors. Token text
 * is deterministic: the same prompt always yields the same completion.
 */
final class EngineResponses {

    private static final String[] WORDS = {"the", "router", "sends", "each", "prompt", "to", "an", "engine",
            "that", "already", "holds", "its", "prefix", "in", "cache", "so", "prefill", "is", "skipped", "and",
            "first", "token", "arrives", "sooner", "while", "memory", "stays", "bounded"};

    private EngineResponses() {
    }

    static String token(String prompt, int index) {
        int seed = prompt.hashCode() & 0x7fffffff;
        return " " + WORDS[(seed + index * 7) % WORDS.length];
    }

    static String text(String prompt, int tokens) {
        StringBuilder text = new StringBuilder(tokens * 7);
        for (int i = 0; i < tokens; i++) {
            text.append(token(prompt, i));
        }
        return text.toString();
    }

    /** The role-only chunk vLLM sends before the first chat token. */
    static String chatRoleChunk(String id, long created, String model) {
        return chunkHead(id, "chat.completion.chunk", created, model)
                + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                + "\"logprobs\":null,\"finish_reason\":null}]}";
    }

    static String tokenChunk(GenerationRequest request, String id, long created, String text, boolean last) {
        String finish = last ? "\"length\"" : "null";
        if (request.chat()) {
            return chunkHead(id, "chat.completion.chunk", created, request.model())
                    + "\"choices\":[{\"index\":0,\"delta\":{\"content\":" + quote(text) + "},\"logprobs\":null,"
                    + "\"finish_reason\":" + finish + (last ? ",\"stop_reason\":null" : "") + "}]}";
        }
        return chunkHead(id, "text_completion", created, request.model())
                + "\"choices\":[{\"index\":0,\"text\":" + quote(text) + ",\"logprobs\":null,\"finish_reason\":"
                + finish + ",\"stop_reason\":null}]}";
    }

    static String usageChunk(GenerationRequest request, String id, long created, TokenEvent last, int completion) {
        return chunkHead(id, request.chat() ? "chat.completion.chunk" : "text_completion", created, request.model())
                + "\"choices\":[]," + usage(last, completion) + "}";
    }

    static String whole(GenerationRequest request, String id, long created, List<TokenEvent> tokens) {
        TokenEvent last = tokens.get(tokens.size() - 1);
        String text = quote(text(request.prompt(), tokens.size()));
        String head = "{\"id\":\"" + id + "\",\"object\":\"" + (request.chat() ? "chat.completion" : "text_completion")
                + "\",\"created\":" + created + ",\"model\":" + quote(request.model()) + ",";
        String choice = request.chat()
                ? "{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + text + ",\"tool_calls\":[]},"
                        + "\"logprobs\":null,\"finish_reason\":\"length\",\"stop_reason\":null}"
                : "{\"index\":0,\"text\":" + text + ",\"logprobs\":null,\"finish_reason\":\"length\","
                        + "\"stop_reason\":null}";
        return head + "\"choices\":[" + choice + "]," + usage(last, tokens.size()) + "}";
    }

    static String embeddings(String model, int promptTokens, int inputs) {
        StringBuilder out = new StringBuilder("{\"object\":\"list\",\"data\":[");
        for (int i = 0; i < inputs; i++) {
            out.append(i == 0 ? "" : ",").append("{\"object\":\"embedding\",\"index\":").append(i)
                    .append(",\"embedding\":[0.25,-0.5,0.125,0.0625]}");
        }
        return out.append("],\"model\":").append(quote(model)).append(",\"usage\":{\"prompt_tokens\":")
                .append(promptTokens).append(",\"total_tokens\":").append(promptTokens).append("}}").toString();
    }

    static String models(String model, long created) {
        return "{\"object\":\"list\",\"data\":[{\"id\":" + quote(model) + ",\"object\":\"model\",\"created\":"
                + created + ",\"owned_by\":\"vllm\",\"root\":" + quote(model) + ",\"parent\":null,"
                + "\"max_model_len\":131072}]}";
    }

    /** vLLM's error body: {@code {"error":{"message","type","param","code"}}} with the numeric status as code. */
    static String error(String message, String type, String param, int status) {
        return "{\"error\":{\"message\":" + quote(message) + ",\"type\":" + quote(type) + ",\"param\":"
                + (param == null ? "null" : quote(param)) + ",\"code\":" + status + "}}";
    }

    static String sse(String json) {
        return "data: " + json + "\n\n";
    }

    private static String usage(TokenEvent last, int completion) {
        return "\"usage\":{\"prompt_tokens\":" + last.promptTokens() + ",\"total_tokens\":"
                + (last.promptTokens() + completion) + ",\"completion_tokens\":" + completion
                + ",\"prompt_tokens_details\":{\"cached_tokens\":" + last.cachedPromptTokens() + "}}";
    }

    private static String chunkHead(String id, String object, long created, String model) {
        return "{\"id\":\"" + id + "\",\"object\":\"" + object + "\",\"created\":" + created + ",\"model\":"
                + quote(model) + ",";
    }

    private static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        JsonStringEncoder.getInstance().quoteAsString(value, out);
        return out.append('"').toString();
    }
}
