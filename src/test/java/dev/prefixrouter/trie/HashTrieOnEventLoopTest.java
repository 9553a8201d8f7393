package dev.prefixrouter.trie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The trie is called from non-blocking threads (Netty event loops) while BlockHound watches them. Its lock is held
 * for bounded microseconds, so a caller that finds it taken may park briefly; {@link TrieBlockHoundIntegration}
 * allows exactly that. This test makes the contention certain: it holds the lock until the caller has parked.
 */
class HashTrieOnEventLoopTest {

    @Test
    void aContendedCallOnANonBlockingThreadIsAllowedToWaitForTheLock() {
        HashTrie trie = new HashTrie(16, 1 << 20, Long.MAX_VALUE, 1);
        int slot = trie.acquireSlot();
        PromptKey key = trie.key(Prompts.random(1, 64));
        trie.record(key, slot);
        AtomicReference<Thread> caller = new AtomicReference<>();
        AtomicReference<Object> outcome = new AtomicReference<>();

        trie.inspect(state -> {
            Mono.fromCallable(() -> {
                caller.set(Thread.currentThread());
                return trie.match(key, new int[] {slot});
            }).subscribeOn(Schedulers.parallel()).subscribe(outcome::set, outcome::set);
            await().until(() -> caller.get() != null && caller.get().getState() == Thread.State.WAITING);
            return null;
        });

        await().until(() -> outcome.get() != null);
        assertThat(outcome.get()).isInstanceOf(int[].class);
        assertThat((int[]) outcome.get()).containsExactly(64);
    }
}
