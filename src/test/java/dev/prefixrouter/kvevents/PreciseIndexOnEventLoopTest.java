package dev.prefixrouter.kvevents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Routing calls {@link PreciseIndex#held} and {@link PreciseIndex#speculate} on event loops while BlockHound
 * watches them. Uncontended they never park; contended they may wait briefly for the lock, which
 * {@code TrieBlockHoundIntegration} allows (the park inside {@code ShortHoldLock.acquire}). This test makes the
 * contention certain.
 */
class PreciseIndexOnEventLoopTest {

    @Test
    void heldAndSpeculateRunOnANonBlockingThread() {
        PreciseIndex index = new PreciseIndex(1 << 16, Duration.ofSeconds(2));
        int engine = index.register("a");
        long[] keys = {1, 2, 3};
        index.stored(engine, 10, 1);
        Object result = Mono.fromCallable(() -> {
                    index.speculate(engine, keys, System.nanoTime());
                    return index.held(keys, new int[] {engine}, System.nanoTime());
                })
                .subscribeOn(Schedulers.parallel()).materialize().block(Duration.ofSeconds(5)).get();
        assertThat((int[]) result).containsExactly(3);
    }

    @Test
    void aContendedHeldIsAllowedToWaitForTheLock() {
        PreciseIndex index = new PreciseIndex(1 << 16, Duration.ofSeconds(2));
        int engine = index.register("a");
        index.stored(engine, 10, 1);
        AtomicReference<Thread> caller = new AtomicReference<>();
        AtomicReference<Object> outcome = new AtomicReference<>();

        index.inspect(state -> {
            Mono.fromCallable(() -> {
                caller.set(Thread.currentThread());
                return index.held(new long[] {1}, new int[] {engine}, 0);
            }).subscribeOn(Schedulers.parallel()).subscribe(outcome::set, outcome::set);
            await().until(() -> caller.get() != null && caller.get().getState() == Thread.State.WAITING);
            return null;
        });

        await().until(() -> outcome.get() != null);
        assertThat(outcome.get()).isInstanceOf(int[].class);
        assertThat((int[]) outcome.get()).containsExactly(1);
    }
}
