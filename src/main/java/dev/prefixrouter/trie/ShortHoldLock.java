package dev.prefixrouter.trie;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A non-fair lock for critical sections that last microseconds, taken from event-loop threads: {@link #acquire()}
 * spins briefly before parking, since a short spin usually beats parking and keeps event loops awake. The prefix
 * index ({@link HashTrie}) and the KV-event index share it; the tests' BlockHound integrations allow the park inside
 * {@link #acquire()} only.
 */
public final class ShortHoldLock extends ReentrantLock {

    private static final int SPINS_BEFORE_PARKING = 100;

    /** Takes the lock, spinning a little before parking. */
    public void acquire() {
        for (int i = 0; i < SPINS_BEFORE_PARKING; i++) {
            if (tryLock()) {
                return;
            }
            Thread.onSpinWait();
        }
        lock();
    }
}
