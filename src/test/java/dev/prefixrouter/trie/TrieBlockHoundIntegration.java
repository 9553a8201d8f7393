package dev.prefixrouter.trie;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Lets event-loop threads wait for {@link HashTrie}'s lock: every critical section is bounded to microseconds
 * (match, record, undo) or to a caller-chosen batch (evict, maintain), so a brief spin, then park, is the intended
 * behaviour rather than blocking I/O. Allowed inside that one method only; registered through
 * {@code META-INF/services} so every test that runs under BlockHound picks it up.
 */
public final class TrieBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside(HashTrie.class.getName(), "lock");
    }
}
