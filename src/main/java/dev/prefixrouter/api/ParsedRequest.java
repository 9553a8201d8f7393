package dev.prefixrouter.api;

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
 */
public record ParsedRequest(ApiOperation operation, String model, boolean stream, PromptText prompt, String user,
        String previousResponseId) {
}
