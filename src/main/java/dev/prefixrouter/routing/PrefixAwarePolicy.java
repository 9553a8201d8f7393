package dev.prefixrouter.routing;

import dev.prefixrouter.backend.Endpoint;
import dev.prefixrouter.trie.EndpointSlots;
import dev.prefixrouter.trie.HashTrie;
import dev.prefixrouter.trie.PromptKey;
import java.util.Comparator;
import java.util.List;

/**
 * Routes each request to the engine where its first token should come soonest, by an estimate of the prefill
 * work ahead of it, in prompt characters (see docs/routing.md):
 *
 * <pre>
 * cost(e) = uncached(e)                        prompt characters e does not hold, by the prefix index
 *         + queuedPrefill(e)                   uncached characters of this router's requests still prefilling on e
 *         + otherWaiting(e) × waitingRequestChars   requests queued on e that this router did not send (engine stats)
 *         + requests(e) × runningRequestChars       every request at e slows its steps a little
 * </pre>
 *
 * Longest match alone would pin everyone sharing a hot system prompt onto one engine; with the queue in the cost,
 * a request goes elsewhere as soon as waiting there costs more than recomputing the prompt, and once several
 * engines hold the prefix, load decides among them. Costs within {@code tieToleranceChars} of each other are ties,
 * broken by rendezvous hashing of the prompt's first chunk: deterministic, so a new prefix lands where replicas of
 * this router also send it, and its followers find it there.
 */
public class PrefixAwarePolicy implements RoutingPolicy {

    private final HashTrie trie;
    private final EndpointSlots slots;
    private final EngineLoad load;
    private final RoutingProperties.Prefix knobs;
    private final PrefixMatchStatistics statistics;

    public PrefixAwarePolicy(HashTrie trie, EndpointSlots slots, EngineLoad load, RoutingProperties.Prefix knobs,
            PrefixMatchStatistics statistics) {
        this.trie = trie;
        this.slots = slots;
        this.load = load;
        this.knobs = knobs;
        this.statistics = statistics;
    }

    @Override
    public String name() {
        return "prefix-aware";
    }

    @Override
    public RoutingDecision route(RoutingRequest request, List<Endpoint> candidates) {
        String prompt = request.prompt();
        PromptKey key = trie.key(prompt);
        int size = candidates.size();
        EndpointSlots.Slot[] candidateSlots = new EndpointSlots.Slot[size];
        int[] slotIds = new int[size];
        for (int i = 0; i < size; i++) {
            candidateSlots[i] = slots.of(candidates.get(i));
            slotIds[i] = candidateSlots[i].id();
        }
        int[] matched = key.chunks() == 0 ? new int[size] : trie.match(key, slotIds);

        long[] uncached = new long[size];
        long[] bucket = new long[size];
        long[] tieBreak = new long[size];
        long firstChunk = Rendezvous.keyHash(prompt.length() <= trie.chunkSize() ? prompt
                : prompt.substring(0, trie.chunkSize()));
        for (int i = 0; i < size; i++) {
            Endpoint endpoint = candidates.get(i);
            EndpointSlots.Slot slot = candidateSlots[i];
            uncached[i] = prompt.length() - matched[i];
            long otherWaiting = Math.max(0, load.waiting(endpoint) - slot.prefillRequests().get());
            long cost = uncached[i] + slot.prefillChars().get() + otherWaiting * knobs.waitingRequestChars()
                    + (long) load.requests(endpoint) * knobs.runningRequestChars();
            bucket[i] = cost / knobs.tieToleranceChars();
            tieBreak[i] = Rendezvous.score(firstChunk, endpoint);
        }
        List<Endpoint> ranked = Ranking.of(candidates, Comparator.<Integer>comparingLong(i -> bucket[i])
                .thenComparing(Comparator.<Integer>comparingLong(i -> tieBreak[i]).reversed()));
        statistics.record(prompt.length(), matched[candidates.indexOf(ranked.get(0))]);
        return new PrefixDecision(trie, key, ranked, candidates, candidateSlots, uncached);
    }
}
