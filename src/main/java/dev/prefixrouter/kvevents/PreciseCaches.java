package dev.prefixrouter.kvevents;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.routing.EngineCaches;
import dev.prefixrouter.routing.PromptTokens;
import dev.prefixrouter.routing.RoutingRequest;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The engines' own reports, as the precise policy asks for them: a request's tokens from the tokenizer, its block
 * keys ({@link BlockKeys}) looked up once in the {@link PreciseIndex} for all candidates, and each candidate's
 * leading held blocks converted to prompt characters wherever its reports are fresh ({@link EventApplier#isFresh}).
 * A request sent to an engine credits it speculatively until the engine's own {@code BlockStored} arrives.
 *
 * <p>When the tokens at hand are a conversation's earlier turns ({@link PromptTokens#share()} below 1), what each
 * candidate holds is judged on that leading part: the turns added since are held by no engine yet, save the last
 * answer by the engine that generated it, which is also the one holding the turns before.
 */
public final class PreciseCaches implements EngineCaches {

    private final EventApplier events;
    private final PreciseIndex index;
    private final EngineTokenizer tokenizer;
    private final int blockSize;

    public PreciseCaches(EventApplier events, EngineTokenizer tokenizer, int blockSize) {
        this.events = events;
        this.index = events.index();
        this.tokenizer = tokenizer;
        this.blockSize = blockSize;
    }

    @Override
    public Mono<PromptTokens> tokens(RoutingRequest request, List<Engine> candidates) {
        return request.tokenize() == null ? Mono.empty()
                : tokenizer.tokens(request.model(), request.tokenize(), candidates);
    }

    @Override
    public Holdings holdings(RoutingRequest request, List<Engine> candidates) {
        PromptTokens known = request.tokens();
        int[] tokens = known.ids();
        long[] keys = BlockKeys.keys(tokens, blockSize);
        int size = candidates.size();
        String[] ids = new String[size];
        for (int i = 0; i < size; i++) {
            ids[i] = candidates.get(i).id();
        }
        long now = System.nanoTime();
        int[] heldBlocks = index.held(keys, ids, now);
        int[] heldChars = new int[size];
        // Tokens of a conversation's earlier turns stand for that part of the prompt only.
        int coveredChars = (int) (request.prompt().length() * known.share());
        for (int i = 0; i < size; i++) {
            heldChars[i] = !events.isFresh(ids[i], now) ? -1
                    : charsOf((long) heldBlocks[i] * blockSize, tokens.length, coveredChars);
        }
        return new Holdings() {
            @Override
            public int heldChars(int i) {
                return heldChars[i];
            }

            @Override
            public void sent(int i) {
                long at = System.nanoTime();
                index.speculate(ids[i], keys, at);
                events.sent(ids[i], at);
            }
        };
    }

    /**
     * Held tokens in the routing prompt's characters, at this prompt's own characters per token (the tokens include
     * the chat template's, so this is an estimate; what counts is that it grows with what the engine holds).
     */
    static int charsOf(long heldTokens, int promptTokens, int promptChars) {
        if (promptTokens == 0 || heldTokens >= promptTokens) {
            return heldTokens == 0 ? 0 : promptChars;
        }
        return (int) (heldTokens * promptChars / promptTokens);
    }
}
