package dev.prefixrouter.kvevents;

/**
 * Where an engine's subscriber delivers what it received. Each engine's calls come from that engine's subscriber
 * thread (never an event loop), one at a time and in the engine's sequence order; different engines' calls may run
 * at once.
 */
public interface EventSink {

    /** The next batch of {@code engineId}, in sequence order (replayed batches included), decoded. */
    void batch(String engineId, EventBatch batch);

    /**
     * Forget everything {@code engineId} reported: its sequence went backwards (the engine restarted), a gap
     * could not be replayed, or its subscription ended (the engine left the fleet).
     */
    void forget(String engineId);

    /**
     * Whether {@code engineId}'s reports can be trusted now: {@code true} once subscribed and in sequence,
     * {@code false} while a gap is being replayed or the subscription is down. Routing treats an engine that is
     * not live as approximate.
     */
    void live(String engineId, boolean live);
}
