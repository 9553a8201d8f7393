package dev.prefixrouter.routing;

import dev.prefixrouter.fleet.Engine;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * What the engines themselves report holding in their KV caches, for the {@code precise} policy: the prefix-aware
 * cost model with each engine's cached prefix taken from its own events where they are fresh, and from the
 * approximate index elsewhere. Implemented where the events arrive (package {@code kvevents}); routing only asks.
 */
public interface EngineCaches {

    /**
     * The request's token ids as the engines tokenize it, or its leading part's where those are at hand and cover
     * most of it. Never fails: when tokens cannot be had in time (no
     * tokenizable prompt, tokenizer slow or down) it completes empty, and the request is routed approximately.
     */
    Mono<PromptTokens> tokens(RoutingRequest request, List<Engine> candidates);

    /** What the candidates hold of a tokenized request's prompt. Called on event loops: must not block. */
    Holdings holdings(RoutingRequest request, List<Engine> candidates);

    /** One request's view of the candidates' caches. */
    interface Holdings {

        /**
         * Prompt characters candidate {@code i} holds by its own reports (its leading full blocks, converted at
         * the prompt's characters per token), or {@code -1} when its reports are not fresh and the approximate
         * index must answer for it.
         */
        int heldChars(int i);

        /**
         * The request is being sent to candidate {@code i}: credit it with the prompt's blocks until its own events
         * confirm them (or an eviction it reports takes them back).
         */
        void sent(int i);
    }
}
