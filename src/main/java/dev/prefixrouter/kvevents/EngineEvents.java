package dev.prefixrouter.kvevents;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One engine's event bookkeeping in {@link EventApplier}: whether its subscription is live, since when requests
 * have been sent to it without an event coming back, and what its events did. Counters are written by the engine's
 * one subscriber thread and read by any; {@link #sent} comes from event loops.
 */
final class EngineEvents {

    static final long NONE = Long.MIN_VALUE;

    volatile boolean live;
    /** When the oldest request sent since the engine's last event went out, or {@link #NONE}. */
    final AtomicLong unansweredSince = new AtomicLong(NONE);
    final AtomicLong batches = new AtomicLong();
    final AtomicLong storedBlocks = new AtomicLong();
    final AtomicLong removedBlocks = new AtomicLong();
    final AtomicLong skippedBlocks = new AtomicLong();
    final AtomicLong unanchoredBlocks = new AtomicLong();
    final AtomicLong unknownRemovals = new AtomicLong();
    final AtomicLong clears = new AtomicLong();

    void sent(long nowNanos) {
        unansweredSince.compareAndSet(NONE, nowNanos == NONE ? NONE + 1 : nowNanos);
    }

    void heard() {
        unansweredSince.set(NONE);
    }

    boolean isFresh(long nowNanos, long staleAfterNanos) {
        long since = unansweredSince.get();
        return live && (since == NONE || nowNanos - since <= staleAfterNanos);
    }
}
