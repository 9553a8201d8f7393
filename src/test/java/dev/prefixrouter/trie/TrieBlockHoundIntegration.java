package dev.prefixrouter.trie;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Lets event-loop threads wait for the indexes' {@link ShortHoldLock}: every critical section of {@link HashTrie} is
 * bounded to microseconds (match, record, undo) or to a caller-chosen batch (evict, maintain), and so is every one
 * of the KV-event index ({@code PreciseIndex}: one lookup per prompt block for held, a fixed batch of keys for
 * speculate and of slots for forget), so a brief spin, then park, is the intended behaviour rather than blocking
 * I/O. Allowed inside {@link ShortHoldLock#acquire()} only; registered through {@code META-INF/services} so every
 * test that runs under BlockHound picks it up.
 */
public final class TrieBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside(ShortHoldLock.class.getName(), "acquire");
    }
}
