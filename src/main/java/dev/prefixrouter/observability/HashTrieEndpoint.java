package dev.prefixrouter.observability;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.prefixrouter.kvevents.EventApplier;
import dev.prefixrouter.routing.EngineSlots;
import dev.prefixrouter.routing.PrefixMatchStatistics;
import dev.prefixrouter.trie.HashTrie;
import dev.prefixrouter.trie.HashTrieStats;
import dev.prefixrouter.trie.MemoryWatcher;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * {@code /actuator/hashtrie} on the management port: the prefix index's size against its budget, evictions,
 * each engine's credited characters against its cache capacity, and match statistics. POST
 * {@code {"utilization": 0.5}} evicts down to that share of the budget; DELETE clears the index. With KV events,
 * a {@code precise} section shows the index of what each engine reports holding ({@link PreciseIndexView}); it is
 * {@code null} otherwise, and POST and DELETE leave it alone (it mirrors the engines, not the router's guesses).
 */
@Component
@org.springframework.boot.actuate.endpoint.annotation.Endpoint(id = "hashtrie")
public class HashTrieEndpoint {

    private final HashTrie trie;
    private final EngineSlots slots;
    private final MemoryWatcher watcher;
    private final PrefixMatchStatistics matches;
    private final ObjectProvider<EventApplier> kvEvents;

    public HashTrieEndpoint(HashTrie trie, EngineSlots slots, MemoryWatcher watcher,
            PrefixMatchStatistics matches, ObjectProvider<EventApplier> kvEvents) {
        this.trie = trie;
        this.slots = slots;
        this.watcher = watcher;
        this.matches = matches;
        this.kvEvents = kvEvents;
    }

    @ReadOperation
    public HashTrieView read() {
        HashTrieStats stats = trie.stats();
        Map<Integer, String> engineBySlot = new HashMap<>();
        slots.all().forEach((engine, slot) -> engineBySlot.put(slot.id(), engine.id()));
        List<EngineCredits> engines = stats.slots().stream()
                .map(slot -> new EngineCredits(engineBySlot.getOrDefault(slot.slot(), "(leaving)"), slot.slot(),
                        slot.attributedChars(), slot.capacityChars()))
                .sorted(Comparator.comparing(EngineCredits::backend))
                .toList();
        MemoryWatcher.RunStats last = watcher.lastRun();
        return new HashTrieView(trie.chunkSize(), stats.nodes(), stats.attributions(), stats.accountedBytes(),
                stats.allocatedBytes(), stats.maxBytes(), stats.utilization(), stats.maxRecordedDepth(),
                new Evictions(watcher.runs(), stats.evictedNodes(), stats.evictedBytes(), last.nodes(),
                        last.duration().toNanos() / 1e6, stats.capacityDroppedAttributions()),
                engines.size(), engines,
                new Matches(matches.requests(), matches.hits(), matches.matchedCharRatio()), precise());
    }

    private PreciseIndexView precise() {
        EventApplier applier = kvEvents.getIfAvailable();
        return applier == null ? null : PreciseIndexView.of(applier);
    }

    /** Evicts least-recently-used leaves until the index uses at most {@code utilization} of its budget. */
    @WriteOperation
    public Mono<MemoryWatcher.RunStats> evict(double utilization) {
        if (!(utilization >= 0 && utilization <= 1)) {
            throw new InvalidEndpointRequestException("utilization must be in [0, 1], was " + utilization,
                    "utilization must be in [0, 1]");
        }
        return watcher.requestEviction(utilization);
    }

    /** Forgets every prefix. */
    @DeleteOperation
    public Mono<Void> clear() {
        return watcher.requestClear();
    }

    /**
     * @param chunkSize        characters per chunk
     * @param nodes            indexed chunks
     * @param attributions     (chunk, engine) credits
     * @param accountedBytes   the index's size as accounted against the budget
     * @param allocatedBytes   bytes of its backing arrays
     * @param budgetBytes      {@code router.hashtrie.max-memory}
     * @param utilization      accounted / budget
     * @param maxDepth         deepest prefix recorded since the last clear, in chunks
     * @param evictions        what eviction has done
     * @param endpointsTracked engines the index credits
     * @param engines        per engine: characters credited and its cache capacity
     * @param matches          how much of routed prompts the chosen engines held
     * @param precise          the KV-event index, or {@code null} when the router runs without KV events
     */
    public record HashTrieView(int chunkSize, long nodes, long attributions, long accountedBytes,
            long allocatedBytes, long budgetBytes, double utilization, int maxDepth, Evictions evictions,
            int endpointsTracked, List<EngineCredits> endpoints, Matches matches,
            @JsonInclude(JsonInclude.Include.NON_NULL) PreciseIndexView precise) {
    }

    /**
     * @param runs                   memory-watcher eviction runs
     * @param nodes                  nodes evicted for memory, by the watcher and on insert
     * @param bytes                  accounted bytes those evictions freed
     * @param lastRunNodes           nodes the last watcher run evicted
     * @param lastRunMillis          how long it took
     * @param capacityDroppedCredits credits dropped because an engine's cache capacity was exceeded
     */
    public record Evictions(long runs, long nodes, long bytes, long lastRunNodes, double lastRunMillis,
            long capacityDroppedCredits) {
    }

    /** One engine's share of the index, in prompt characters. */
    public record EngineCredits(String backend, int slot, long attributedChars, long capacityChars) {
    }

    /**
     * @param requests         requests routed by the index
     * @param hits             those whose engine held at least one chunk
     * @param matchedCharRatio matched characters over all routed prompt characters
     */
    public record Matches(long requests, long hits, double matchedCharRatio) {
    }
}
