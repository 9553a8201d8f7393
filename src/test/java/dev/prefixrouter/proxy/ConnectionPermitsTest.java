package dev.prefixrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * One engine's connection permits: a limit across the event loops' pools, a bounded and timed wait, no leak. (A
 * failure in {@code block()} comes wrapped: the permits' own exception is its root cause.)
 */
class ConnectionPermitsTest {

    private final EventLoop loop = new DefaultEventLoop();

    @AfterEach
    void stopLoop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void permitsUpToTheLimitAreGivenAtOnceAndAGivenBackOneGoesToTheLongestWaiter() throws Exception {
        ConnectionPermits permits = new ConnectionPermits("e", 2, 2, Duration.ofSeconds(10));
        permits.acquire(loop).block(Duration.ofSeconds(1));
        permits.acquire(loop).block(Duration.ofSeconds(1));
        CompletableFuture<Void> first = permits.acquire(loop).toFuture();
        CompletableFuture<Void> second = permits.acquire(loop).toFuture();
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();

        permits.release();
        first.get(1, TimeUnit.SECONDS);
        assertThat(second).isNotDone();
        assertThat(permits.inUse()).isEqualTo(2);

        permits.release();
        second.get(1, TimeUnit.SECONDS);
        permits.release();
        permits.release();
        assertThat(permits.inUse()).isZero();
    }

    @Test
    void beyondTheWaitingLimitARequestIsRefusedAtOnceAsSaturation() {
        ConnectionPermits permits = new ConnectionPermits("e", 1, 1, Duration.ofSeconds(10));
        permits.acquire(loop).block(Duration.ofSeconds(1));
        Disposable waiting = permits.acquire(loop).subscribe();

        assertThatThrownBy(() -> permits.acquire(loop).block(Duration.ofSeconds(1)))
                .satisfies(error -> assertThat(UpstreamFailures.poolSaturated(error)).isTrue())
                .rootCause().isInstanceOf(UpstreamFailures.PoolSaturated.class)
                .hasMessageContaining("max-pending-acquires");
        waiting.dispose();
    }

    @Test
    void noWaitingAtAllWhenTheWaitingLimitIsZero() {
        ConnectionPermits permits = new ConnectionPermits("e", 1, 0, Duration.ofSeconds(10));
        permits.acquire(loop).block(Duration.ofSeconds(1));
        assertThatThrownBy(() -> permits.acquire(loop).block(Duration.ofSeconds(1)))
                .rootCause().isInstanceOf(UpstreamFailures.PoolSaturated.class);
        permits.release();
        permits.acquire(loop).block(Duration.ofSeconds(1));
    }

    @Test
    void aWaitLongerThanTheTimeoutFailsAsSaturationAndTakesNothing() {
        ConnectionPermits permits = new ConnectionPermits("e", 1, 4, Duration.ofMillis(100));
        permits.acquire(loop).block(Duration.ofSeconds(1));
        long started = System.nanoTime();
        assertThatThrownBy(() -> permits.acquire(loop).block(Duration.ofSeconds(5)))
                .rootCause().isInstanceOf(UpstreamFailures.PoolSaturated.class)
                .hasMessageContaining("pending-acquire-timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(90));

        permits.release(); // no waiter left: the permit is free again
        assertThat(permits.inUse()).isZero();
    }

    @Test
    void aWaiterThatLeavesTakesNoPermitAndLeavesNoneBehind() throws Exception {
        ConnectionPermits permits = new ConnectionPermits("e", 1, 4, Duration.ofSeconds(10));
        permits.acquire(loop).block(Duration.ofSeconds(1));
        Disposable gone = permits.acquire(loop).subscribe();
        CompletableFuture<Void> next = permits.acquire(loop).toFuture();
        gone.dispose();

        permits.release(); // skips the one that left
        next.get(1, TimeUnit.SECONDS);
        permits.release();
        assertThat(permits.inUse()).isZero();
    }

    @Test
    void manyThreadsTakingAndGivingBackNeverExceedTheLimitNorLoseAPermit() throws Exception {
        ConnectionPermits permits = new ConnectionPermits("e", 3, 1000, Duration.ofSeconds(10));
        int threads = 4;
        int rounds = 2_000;
        AtomicInteger held = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                for (int i = 0; i < rounds; i++) {
                    permits.acquire(loop).block(Duration.ofSeconds(10));
                    most.accumulateAndGet(held.incrementAndGet(), Math::max);
                    held.decrementAndGet();
                    permits.release();
                }
            });
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join(30_000);
        }
        assertThat(most.get()).isLessThanOrEqualTo(3);
        assertThat(permits.inUse()).isZero();
    }
}
