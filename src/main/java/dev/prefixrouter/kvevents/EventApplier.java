package dev.prefixrouter.kvevents;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Applies each engine's decoded KV events to the {@link PreciseIndex}, and tells routing which engines' reports
 * it can trust right now.
 *
 * <p>Keying: a {@code BlockStored}'s first block chains from its parent's router key, found through the engine's
 * own parent hash ({@link BlockKeys#root} of the LoRA id when it has no parent); each block's key is
 * {@link BlockKeys#key} of the previous one and its token ids. A parent the index does not know (stored before the
 * subscription, skipped, or evicted) leaves the chain unkeyable: those blocks are counted as unanchored and
 * skipped. Blocks on another medium than the GPU (CPU offload copies), of another block size than the configured
 * one, or whose token ids do not exactly fill them are skipped and counted: routing only credits what the engine
 * can reuse without a transfer. {@code AllBlocksCleared} and {@link #forget} drop everything the engine reported.
 *
 * <p>Freshness ({@link #isFresh}): an engine's reports are trusted while its subscription is live (the subscriber
 * says so through {@link #live}) and it is not stale: stale once a request was sent to it ({@link #sent}) more than
 * {@code staleAfter} ago with no event received since, which is how a publisher that silently stopped shows up
 * while its socket still looks connected. (An engine whose requests all hit its cache and end within one block
 * stores nothing new and may look stale; {@code staleAfter} should exceed a typical request's time to its first
 * full block.) An engine that is not fresh is routed approximately.
 *
 * <p>Concurrency: as {@link EventSink} promises, each engine's batches come one at a time from its subscriber
 * thread; {@link #sent} and {@link #isFresh} are lock-free and may be called from event loops at once.
 */
public final class EventApplier implements EventSink {

    private final PreciseIndex index;
    private final int blockSize;
    private final long staleAfterNanos;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, EngineEvents> engines = new ConcurrentHashMap<>();

    /** Applies events of {@code blockSize}-token blocks to {@code index}; silent engines go stale after staleAfter. */
    public EventApplier(PreciseIndex index, int blockSize, Duration staleAfter) {
        this(index, blockSize, staleAfter, System::nanoTime);
    }

    /** With the clock that stamps received events, to compare with the times passed to {@link #sent}. */
    EventApplier(PreciseIndex index, int blockSize, Duration staleAfter, LongSupplier clock) {
        this.index = Objects.requireNonNull(index, "index");
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be at least 1, was " + blockSize);
        }
        this.blockSize = blockSize;
        this.staleAfterNanos = staleAfter.toNanos();
        this.clock = clock;
    }

    @Override
    public void batch(String engineId, EventBatch batch) {
        EngineEvents events = events(engineId);
        events.heard();
        int engine = index.register(engineId);
        if (engine < 0) {
            return; // a 65th engine: not tracked, routed approximately
        }
        List<KvEvent> list = batch.events();
        // No iterator: nothing for a trap in here to rematerialize (see EngineSubscriber.apply).
        for (int i = 0; i < list.size(); i++) {
            KvEvent event = list.get(i);
            if (event instanceof KvEvent.BlockStored stored) {
                stored(engine, stored, events);
            } else if (event instanceof KvEvent.BlockRemoved removed) {
                removed(engine, removed, events);
            } else {
                events.clears.incrementAndGet();
                index.forget(engine);
            }
        }
        events.batches.incrementAndGet();
    }

    @Override
    public void forget(String engineId) {
        events(engineId).clears.incrementAndGet();
        index.forget(engineId);
    }

    @Override
    public void live(String engineId, boolean live) {
        EngineEvents events = events(engineId);
        events.live = live;
        if (live) {
            index.register(engineId);
            events.heard(); // a new subscription starts with nothing unanswered
        }
    }

    /** Routing sent the engine a request at {@code nowNanos} ({@link System#nanoTime()}); lock-free. */
    public void sent(String engineId, long nowNanos) {
        EngineEvents events = engines.get(engineId);
        if (events != null) {
            events.sent(nowNanos);
        }
    }

    /** Whether routing may use the engine's reports at {@code nowNanos}: live, tracked, and not stale; lock-free. */
    public boolean isFresh(String engineId, long nowNanos) {
        EngineEvents events = engines.get(engineId);
        return events != null && index.indexOf(engineId) >= 0 && events.isFresh(nowNanos, staleAfterNanos);
    }

    /** Drops the engine's state and index entries: it left the fleet. */
    public void unregister(String engineId) {
        engines.remove(engineId);
        index.unregister(engineId);
    }

    /** Per engine that ever subscribed, what its events did and whether it is fresh now, sorted by id. */
    public List<EngineEventStats> stats() {
        long now = clock.getAsLong();
        return engines.entrySet().stream()
                .map(e -> {
                    EngineEvents v = e.getValue();
                    return new EngineEventStats(e.getKey(), index.indexOf(e.getKey()), v.live,
                            isFresh(e.getKey(), now), v.batches.get(), v.storedBlocks.get(), v.removedBlocks.get(),
                            v.skippedBlocks.get(), v.unanchoredBlocks.get(), v.unknownRemovals.get(), v.clears.get());
                })
                .sorted(Comparator.comparing(EngineEventStats::engine))
                .toList();
    }

    /** The index the events are applied to. */
    public PreciseIndex index() {
        return index;
    }

    private void stored(int engine, KvEvent.BlockStored stored, EngineEvents events) {
        long[] hashes = stored.blockHashes();
        int[] tokens = stored.tokenIds();
        if (!isGpu(stored.medium()) || stored.blockSize() != blockSize || tokens == null
                || tokens.length != (long) hashes.length * blockSize) {
            events.skippedBlocks.addAndGet(hashes.length);
            return;
        }
        long parent = BlockKeys.root(stored.loraId());
        if (stored.hasParent()) {
            parent = index.routerKey(engine, stored.parentBlockHash());
            if (parent == PreciseIndex.UNKNOWN_KEY) {
                events.unanchoredBlocks.addAndGet(hashes.length);
                return;
            }
        }
        for (int i = 0; i < hashes.length; i++) {
            parent = BlockKeys.key(parent, tokens, i * blockSize, blockSize);
            index.stored(engine, hashes[i], parent);
        }
        events.storedBlocks.addAndGet(hashes.length);
    }

    private void removed(int engine, KvEvent.BlockRemoved removed, EngineEvents events) {
        if (!isGpu(removed.medium())) {
            events.skippedBlocks.addAndGet(removed.blockHashes().length);
            return;
        }
        for (long hash : removed.blockHashes()) {
            if (index.removed(engine, hash)) {
                events.removedBlocks.incrementAndGet();
            } else {
                events.unknownRemovals.incrementAndGet();
            }
        }
    }

    private static boolean isGpu(String medium) {
        return medium == null || medium.toUpperCase(Locale.ROOT).equals("GPU");
    }

    private EngineEvents events(String engineId) {
        Objects.requireNonNull(engineId, "engineId");
        return engines.computeIfAbsent(engineId, id -> new EngineEvents());
    }
}
