package dev.prefixrouter.routing;

import dev.prefixrouter.trie.PromptText;

/**
 * What a routing policy knows about a request.
 *
 * @param model      the requested model
 * @param prompt     the prompt text routing keys on (see {@code ParsedRequest#prompt}), read in place
 * @param sessionKey the session header's value, else the body's {@code user}, else {@code null}
 * @param tokenize   the prompt as the engines' tokenizer takes it, or {@code null} where the route has none that
 *                   {@code /tokenize} accepts (token ids, embeddings, ...)
 * @param tokens     the prompt's token ids as the engines tokenize it (or its leading part's), once a policy's
 *                   {@link RoutingPolicy#prepare preparation} found them; {@code null} before or without
 */
public record RoutingRequest(String model, PromptText prompt, String sessionKey, TokenizeInput tokenize,
        PromptTokens tokens) {

    /** A request whose prompt is a string already. */
    public RoutingRequest(String model, String prompt, String sessionKey) {
        this(model, PromptText.of(prompt), sessionKey, null, null);
    }

    public RoutingRequest(String model, PromptText prompt, String sessionKey) {
        this(model, prompt, sessionKey, null, null);
    }

    /** This request with its token ids known. */
    public RoutingRequest withTokens(PromptTokens known) {
        return new RoutingRequest(model, prompt, sessionKey, tokenize, known);
    }

    /** This request with its whole prompt's token ids known. */
    public RoutingRequest withTokens(int[] ids) {
        return withTokens(PromptTokens.whole(ids));
    }
}
