package dev.prefixrouter.sim;

/** What turns an {@link EngineCore}'s crank: told when the inbox has something, and when to stop. */
interface EngineDriver {

    /** The inbox has new commands. Must not block: called from the submitter's thread. */
    void wake();

    boolean isClosed();

    /** Stops driving and fails every request still in the engine. Idempotent; does not block. */
    void close();
}
