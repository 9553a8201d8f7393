package dev.prefixrouter.observability;

import dev.prefixrouter.kvevents.EngineEventStats;
import dev.prefixrouter.kvevents.EventApplier;
import dev.prefixrouter.kvevents.PreciseIndexStats;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code precise} section of {@code /actuator/hashtrie}: the KV-event index's size against its budget,
 * evictions, and per engine the blocks its own events credit it with and whether routing trusts them now.
 *
 * @param keys            router block keys indexed
 * @param mappings        engine-hash to router-key mappings
 * @param bytes           accounted bytes (the tables' allocated slots)
 * @param budgetBytes     {@code router.kv-events.max-memory}
 * @param utilization     bytes / budget
 * @param evictions       keys and mappings evicted to stay within the budget
 * @param enginesTracked  engines with an index (at most 64)
 * @param engines         per engine, sorted by id
 */
public record PreciseIndexView(long keys, long mappings, long bytes, long budgetBytes, double utilization,
        Evictions evictions, int enginesTracked, List<EngineBlocks> engines) {

    /** A snapshot of the applier's index and engines. */
    static PreciseIndexView of(EventApplier applier) {
        PreciseIndexStats stats = applier.index().stats();
        Map<String, EngineBlocks> engines = new LinkedHashMap<>();
        for (PreciseIndexStats.EngineBlocks e : stats.engines()) {
            engines.put(e.engine(), new EngineBlocks(e.engine(), e.index(), e.blocks(), false, false, 0, 0, 0, 0, 0));
        }
        for (EngineEventStats e : applier.stats()) {
            EngineBlocks indexed = engines.get(e.engine());
            engines.put(e.engine(), new EngineBlocks(e.engine(), e.index(), indexed == null ? 0 : indexed.blocks(),
                    e.live(), e.fresh(), e.storedBlocks(), e.removedBlocks(), e.skippedBlocks(),
                    e.unanchoredBlocks(), e.unknownRemovals()));
        }
        List<EngineBlocks> sorted = engines.values().stream().sorted(Comparator.comparing(EngineBlocks::engine))
                .toList();
        return new PreciseIndexView(stats.keys(), stats.mappings(), stats.bytes(), stats.maxBytes(),
                stats.utilization(), new Evictions(stats.evictedKeys(), stats.evictedMappings()),
                stats.engines().size(), sorted);
    }

    /** Keys (every engine un-credited) and mappings (one engine un-credited) evicted for memory. */
    public record Evictions(long keys, long mappings) {
    }

    /**
     * One engine's precise credit.
     *
     * @param engine           the engine id
     * @param index            its bit in the index, -1 if not tracked (beyond 64 engines)
     * @param blocks           blocks its events credit it with now
     * @param live             its event subscription is up and in sequence
     * @param fresh            live and answering: routing uses its blocks rather than the approximate index
     * @param storedBlocks     blocks credited from its events so far
     * @param removedBlocks    blocks its events un-credited
     * @param skippedBlocks    blocks not applied (another medium or block size, malformed token ids)
     * @param unanchoredBlocks blocks whose parent was unknown, so could not be keyed
     * @param unknownRemovals  removals of hashes the index did not know
     */
    public record EngineBlocks(String engine, int index, long blocks, boolean live, boolean fresh,
            long storedBlocks, long removedBlocks, long skippedBlocks, long unanchoredBlocks, long unknownRemovals) {
    }
}
