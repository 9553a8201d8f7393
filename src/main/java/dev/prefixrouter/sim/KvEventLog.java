package dev.prefixrouter.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Collects the KV-cache events of one engine step, in the order the block pool applied them, and hands them to
 * the {@link KvEventPublisher} as one batch when the step has been scheduled. Consecutive evictions are merged
 * into one {@code BlockRemoved}. Without a publisher every method returns at once, so an engine without events
 * pays nothing.
 *
 * <p>Not thread-safe: confined to the engine's step thread, like the block pool that feeds it.
 */
final class KvEventLog {

    private final KvEventPublisher publisher;
    private final int blockSize;
    private final List<SimKvEvent> pending = new ArrayList<>();
    private long[] removed = new long[16];
    private int numRemoved;

    KvEventLog(KvEventPublisher publisher, int blockSize) {
        this.publisher = publisher;
        this.blockSize = blockSize;
    }

    static KvEventLog disabled(int blockSize) {
        return new KvEventLog(null, blockSize);
    }

    boolean enabled() {
        return publisher != null;
    }

    /** Blocks {@code [from, to)} of the prompt were published to the cache under {@code hashes[from..to)}. */
    void stored(String prompt, long[] hashes, int from, int to) {
        if (publisher == null || from >= to) {
            return;
        }
        closeRemoved();
        pending.add(new SimKvEvent.Stored(Arrays.copyOfRange(hashes, from, to), from > 0,
                from > 0 ? hashes[from - 1] : 0, SimTokenizer.tokenIds(prompt, from * blockSize, to * blockSize),
                blockSize));
    }

    void removed(long hash) {
        if (publisher == null) {
            return;
        }
        if (numRemoved == removed.length) {
            removed = Arrays.copyOf(removed, numRemoved * 2);
        }
        removed[numRemoved++] = hash;
    }

    void cleared() {
        if (publisher == null) {
            return;
        }
        closeRemoved();
        pending.add(new SimKvEvent.Cleared());
    }

    /** Sends what was collected since the last flush as one batch, if anything was. */
    void flush() {
        if (publisher == null) {
            return;
        }
        closeRemoved();
        if (!pending.isEmpty()) {
            publisher.offer(System.currentTimeMillis() / 1000.0, List.copyOf(pending));
            pending.clear();
        }
    }

    /** Forgets what was collected and not yet flushed: a restarting engine never reports it. */
    void discard() {
        pending.clear();
        numRemoved = 0;
    }

    KvEventPublisher publisher() {
        return publisher;
    }

    private void closeRemoved() {
        if (numRemoved > 0) {
            pending.add(new SimKvEvent.Removed(Arrays.copyOf(removed, numRemoved)));
            numRemoved = 0;
        }
    }
}
