package dev.prefixrouter.routing;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.trie.HashTrie;
import dev.prefixrouter.trie.PromptKey;
import java.util.List;
import java.util.function.ObjLongConsumer;

/**
 * One prefix-routed request's bookkeeping. The prompt is recorded in the index for an engine when the proxy starts
 * sending it there (so requests right behind it with the same prefix follow), and taken back if that attempt fails
 * to connect and another engine is tried: the index ends up crediting only the engine that served. The request's
 * uncached characters count as queued prefill on its engine until the engine's first byte arrives.
 *
 * <p>The proxy calls these hooks one at a time for a request, but may report an attempt finished after the next
 * attempt started, so the state is kept per candidate.
 */
final class PrefixDecision implements RoutingDecision {

    private final HashTrie trie;
    private final PromptKey key;
    private final List<Engine> ranked;
    private final List<Engine> candidates;
    private final EngineSlots.Slot[] slots;
    private final long[] uncached;
    private final long[] costs;
    private final int[] recordedFrom;
    private final boolean[] prefilling;
    private final EngineCaches.Holdings holdings;
    private final int reported;

    /**
     * @param holdings what the engines report holding (the precise policy), or {@code null}
     * @param reported how many candidates' matches came from their own reports
     */
    PrefixDecision(HashTrie trie, PromptKey key, List<Engine> ranked, List<Engine> candidates,
            EngineSlots.Slot[] slots, long[] uncached, long[] costs, EngineCaches.Holdings holdings, int reported) {
        this.holdings = holdings;
        this.reported = reported;
        this.trie = trie;
        this.key = key;
        this.ranked = ranked;
        this.candidates = candidates;
        this.slots = slots;
        this.uncached = uncached;
        this.costs = costs;
        this.recordedFrom = new int[candidates.size()];
        this.prefilling = new boolean[candidates.size()];
    }

    @Override
    public List<Engine> ranked() {
        return ranked;
    }

    @Override
    public void explain(ObjLongConsumer<String> attribute) {
        int first = candidates.indexOf(ranked.get(0));
        attribute.accept("router.prefix.matched_chars", key.promptLength() - uncached[first]);
        attribute.accept("router.prefix.cost_chars", costs[first]);
        attribute.accept("router.prefix.candidates", candidates.size());
        if (holdings != null) {
            attribute.accept("router.prefix.reported_candidates", reported);
        }
    }

    @Override
    public void attempting(Engine engine) {
        int i = indexOf(engine);
        EngineSlots.Slot slot = slots[i];
        recordedFrom[i] = key.chunks() == 0 ? 0 : trie.record(key, slot.id());
        if (holdings != null) {
            holdings.sent(i);
        }
        slot.prefillChars().addAndGet(uncached[i]);
        slot.prefillRequests().incrementAndGet();
        prefilling[i] = true;
    }

    @Override
    public void attemptFailed(Engine engine) {
        int i = indexOf(engine);
        if (recordedFrom[i] < key.chunks()) {
            trie.undo(key, slots[i].id(), recordedFrom[i]);
        }
    }

    @Override
    public void responding(Engine engine) {
        prefillDone(indexOf(engine));
    }

    @Override
    public void finished(Engine engine) {
        prefillDone(indexOf(engine));
    }

    private void prefillDone(int i) {
        if (prefilling[i]) {
            prefilling[i] = false;
            slots[i].prefillChars().addAndGet(-uncached[i]);
            slots[i].prefillRequests().decrementAndGet();
        }
    }

    private int indexOf(Engine engine) {
        for (int i = 0; i < candidates.size(); i++) {
            if (candidates.get(i) == engine) {
                return i;
            }
        }
        throw new IllegalArgumentException("not a candidate of this request: " + engine.id());
    }
}
