package dev.prefixrouter.routing;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.trie.HashTrie;
import dev.prefixrouter.trie.PromptKey;
import dev.prefixrouter.trie.PromptText;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Routes each request to the engine where its first token should come soonest, by an estimate of the prefill
 * work ahead of it, in prompt characters (see docs/routing.md):
 *
 * <pre>
 * cost(e) = uncached(e)                        prompt characters e does not hold, by the prefix index
 *         + queueWeight × ( queuedPrefill(e)   uncached characters of this router's requests still prefilling on e
 *           + otherWaiting(e) × waitingRequestChars   requests queued on e that this router did not send
 *           + requests(e) × runningRequestChars )     every request at e slows its steps a little
 * </pre>
 *
 * Longest match alone would pin everyone sharing a hot system prompt onto one engine; with the queue in the cost,
 * a request goes elsewhere once waiting there costs more than recomputing the prompt (the queue discounted by
 * {@code queueWeight}, 0.5 by default: a miss also delays whoever queues behind it and crowds another cache), and
 * once several engines hold the prefix, load decides among them. Costs within {@code tieToleranceChars} of each
 * other are ties, broken by rendezvous hashing of the prompt's first chunk: deterministic, so a new prefix lands
 * where replicas of this router also send it, and its followers find it there.
 *
 * <p>The tolerance widens with the part of the prompt the index cannot vouch for: costs within
 * {@link #UNINDEXED_TIE_SHARE} of the characters past the longest match are ties, and ties go to the longest match,
 * then to the rendezvous engine. The index's silence is not proof that an engine forgot: a bounded index evicts an
 * idle conversation from its tail back to its first chunk (least recently used leaves first, roots last), so a
 * returning conversation often matches only its first chunks, or nothing, while its engine still holds all of it.
 * Without the wider tolerance any queue on that engine sent such a request to the least-loaded engine, where it
 * found its KV cache one time in K. A prompt the index knows in full keeps the narrow tolerance, and so does one
 * that matches nothing while the index has never forgotten anything ({@link HashTrie#mayHaveForgotten()}): it is
 * new everywhere, and load places it.
 */
public class PrefixAwarePolicy implements RoutingPolicy {

    /**
     * Costs within this share of the prompt characters past the longest match are ties. Recomputing them
     * elsewhere is certain; the engine that most likely served the conversation before (the longest match, else
     * the rendezvous engine) probably still holds them, so it keeps the request unless its queue is longer by more
     * than those characters: what the index assumes for the prefixes it remembers, applied to those it forgot.
     * Measured with the end-to-end benchmark (docs/benchmarks, an earlier and less busy fleet, queue weight 1), an
     * index budget of a fifth of the live index: engine hit rate 24 % before, 31 % with a share of 0.5, 49 % with
     * 1.0 (unbounded index: 64–67 %).
     */
    static final double UNINDEXED_TIE_SHARE = 1.0;

    private final HashTrie trie;
    private final EngineSlots slots;
    private final EngineLoad load;
    private final RoutingProperties.Prefix knobs;
    private final PrefixMatchStatistics statistics;
    private final EngineCaches caches;

    public PrefixAwarePolicy(HashTrie trie, EngineSlots slots, EngineLoad load, RoutingProperties.Prefix knobs,
            PrefixMatchStatistics statistics) {
        this(trie, slots, load, knobs, statistics, null);
    }

    /**
     * The {@code precise} policy: the same cost, with each engine's cached prefix taken from what the engine itself
     * reports ({@code caches}) wherever its reports are fresh, and from the approximate index elsewhere. The index
     * keeps being fed either way, so an engine whose events stop is routed as well as before. When every candidate
     * reports and none is idle, the queue counts at {@code reportedQueueWeight} instead (see docs/routing.md).
     */
    public PrefixAwarePolicy(HashTrie trie, EngineSlots slots, EngineLoad load, RoutingProperties.Prefix knobs,
            PrefixMatchStatistics statistics, EngineCaches caches) {
        this.caches = caches;
        this.trie = trie;
        this.slots = slots;
        this.load = load;
        this.knobs = knobs;
        this.statistics = statistics;
    }

    @Override
    public String name() {
        return caches == null ? "prefix-aware" : "precise";
    }

    @Override
    public boolean prepares() {
        return caches != null;
    }

    /** Tokenizes the prompt as the engines do, when it has a tokenizable form; routes without tokens otherwise. */
    @Override
    public Mono<RoutingRequest> prepare(RoutingRequest request, List<Engine> candidates) {
        if (caches == null || request.tokenize() == null) {
            return Mono.just(request);
        }
        return caches.tokens(request, candidates).map((PromptTokens known) -> request.withTokens(known))
                .defaultIfEmpty(request);
    }

    @Override
    public RoutingDecision route(RoutingRequest request, List<Engine> candidates) {
        PromptText prompt = request.prompt();
        PromptKey key = trie.key(prompt);
        int size = candidates.size();
        EngineSlots.Slot[] candidateSlots = new EngineSlots.Slot[size];
        int[] slotIds = new int[size];
        for (int i = 0; i < size; i++) {
            candidateSlots[i] = slots.of(candidates.get(i));
            slotIds[i] = candidateSlots[i].id();
        }
        int[] matched = key.chunks() == 0 ? new int[size] : trie.match(key, slotIds);
        EngineCaches.Holdings holdings = null;
        int reported = 0;
        if (caches != null && request.tokens() != null) {
            holdings = caches.holdings(request, candidates);
            for (int i = 0; i < size; i++) {
                int held = holdings.heldChars(i);
                if (held >= 0) { // the engine's own word replaces the index's guess, either way
                    matched[i] = Math.min(held, prompt.length());
                    reported++;
                }
            }
        }
        int longestMatch = Arrays.stream(matched).max().orElse(0);
        // Widen the tie tolerance for what the bounded index may have forgotten; engines that report their own
        // caches leave nothing to guess.
        long unindexed = reported < size && (longestMatch > 0 || trie.mayHaveForgotten())
                ? prompt.length() - longestMatch : 0;
        long tolerance = Math.max(knobs.tieToleranceChars(), (long) (unindexed * UNINDEXED_TIE_SHARE));
        long[] queued = new long[size];
        boolean someIdle = false;
        for (int i = 0; i < size; i++) {
            Engine engine = candidates.get(i);
            EngineSlots.Slot slot = candidateSlots[i];
            long waiting = slot.prefillChars().get() + (long) (load.othersWaiting(engine,
                    slot.prefillRequests().get()) * knobs.waitingRequestChars());
            someIdle |= waiting == 0;
            queued[i] = waiting + (long) load.requests(engine) * knobs.runningRequestChars();
        }
        // A hit the engine itself reports is certain, and while no candidate is idle a miss queues behind others
        // and adds prefill to a fleet without slack: then the queue counts less against keeping the hit.
        double queueWeight = reported == size && !someIdle ? knobs.reportedQueueWeight() : knobs.queueWeight();

        long[] uncached = new long[size];
        long[] costs = new long[size];
        long[] bucket = new long[size];
        long[] tieBreak = new long[size];
        long firstChunk = Rendezvous.keyHash(prompt.prefix(trie.chunkSize()));
        for (int i = 0; i < size; i++) {
            uncached[i] = prompt.length() - matched[i];
            long cost = uncached[i] + (long) (queued[i] * queueWeight);
            costs[i] = cost;
            bucket[i] = cost / tolerance;
            tieBreak[i] = Rendezvous.score(firstChunk, candidates.get(i));
        }
        List<Engine> ranked = Ranking.of(candidates, Comparator.<Integer>comparingLong(i -> bucket[i])
                .thenComparing(Comparator.<Integer>comparingInt(i -> matched[i]).reversed())
                .thenComparing(Comparator.<Integer>comparingLong(i -> tieBreak[i]).reversed()));
        statistics.record(prompt.length(), matched[candidates.indexOf(ranked.get(0))]);
        return new PrefixDecision(trie, key, ranked, candidates, candidateSlots, uncached, costs, holdings, reported);
    }
}
