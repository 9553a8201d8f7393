package dev.prefixrouter.routing;

import dev.prefixrouter.trie.PromptText;

/**
 * What a routing policy knows about a request.
 *
 * @param model      the requested model
 * @param prompt     the prompt text routing keys on (see {@code ParsedRequest#prompt}), read in place
 * @param sessionKey the session header's value, else the body's {@code user}, else {@code null}
 */
public record RoutingRequest(String model, PromptText prompt, String sessionKey) {

    /** A request whose prompt is a string already. */
    public RoutingRequest(String model, String prompt, String sessionKey) {
        this(model, PromptText.of(prompt), sessionKey);
    }
}
