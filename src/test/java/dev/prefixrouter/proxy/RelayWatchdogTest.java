package dev.prefixrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class RelayWatchdogTest {

    private static final EventLoop LOOP = new DefaultEventLoop();

    @AfterAll
    static void stopLoop() {
        LOOP.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void expiresAtTheDeadlineWhenNoBufferCame() {
        RelayWatchdog watchdog = new RelayWatchdog(LOOP, System.nanoTime() + millis(100), millis(10_000));
        long start = System.nanoTime();
        watchdog.start();
        StepVerifier.create(watchdog.expired()).expectError(TimeoutException.class).verify(Duration.ofSeconds(5));
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(millis(90));
    }

    @Test
    void buffersKeepItAliveAndThenTheIdleTimeoutCounts() throws Exception {
        // The deadline only bounds the first buffer; after it, each gap may be up to the idle timeout.
        RelayWatchdog watchdog = new RelayWatchdog(LOOP, System.nanoTime() + millis(100), millis(1_000));
        AtomicLong expiredAt = new AtomicLong();
        watchdog.expired().subscribe(null, error -> expiredAt.set(System.nanoTime()));
        watchdog.start();
        long start = System.nanoTime();
        long lastBuffer = 0;
        for (int i = 0; i < 6; i++) { // buffers every 50 ms for 300 ms: past the deadline, never idle for 1 s
            lastBuffer = LOOP.submit(() -> {
                watchdog.bufferArrived();
                return System.nanoTime();
            }).get();
            Thread.sleep(50);
        }
        assertThat(lastBuffer - start).isGreaterThan(millis(200));
        assertThat(expiredAt.get()).as("expired while buffers kept coming").isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> expiredAt.get() != 0);
        assertThat(expiredAt.get() - lastBuffer).isGreaterThanOrEqualTo(millis(1_000));
    }

    @Test
    void stoppedItNeverExpires() {
        RelayWatchdog watchdog = new RelayWatchdog(LOOP, System.nanoTime() + millis(50), millis(50));
        watchdog.start();
        watchdog.stop();
        StepVerifier.create(watchdog.expired()).expectSubscription().expectNoEvent(Duration.ofMillis(300))
                .thenCancel().verify();
    }

    private static long millis(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
