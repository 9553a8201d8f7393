package dev.prefixrouter.api;

import dev.prefixrouter.routing.TokenizeInput;
import dev.prefixrouter.trie.PromptText;

/**
 * What the router reads from a request body; the body itself is forwarded untouched.
 *
 * @param operation the engine called
 * @param model     the requested model
 * @param stream    whether the client asked for server-sent events
 * @param prompt    the text routing keys on: chat message contents (text parts only) joined in order with
 *                  newlines, a completion or embedding prompt, or token ids rendered as decimal text; read from the
 *                  body's bytes, not copied
 * @param user      the body's {@code user} field, or {@code null}
 * @param previousResponseId the Responses API's {@code previous_response_id}, or {@code null}
 * @param tokenize  where a chat request's {@code messages} or a completion's string {@code prompt} stands in the
 *                  body, for the engines' {@code /tokenize}; {@code null} for other requests
 */
public record ParsedRequest(ApiOperation operation, String model, boolean stream, PromptText prompt, String user,
        String previousResponseId, TokenizeInput tokenize) {

    public ParsedRequest(ApiOperation operation, String model, boolean stream, PromptText prompt, String user,
            String previousResponseId) {
        this(operation, model, stream, prompt, user, previousResponseId, null);
    }
}
