package dev.prefixrouter.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EngineProgressTest {

    private final Engine engine = new Fleet(new FleetProperties(List.of()))
            .add(new EngineSpec("e", URI.create("http://10.0.0.1:8000"), List.of("m"), null));

    @Test
    void aSuccessfulProbeIsNoProgressOfTheRequestsInFlight() {
        engine.requestStarted();
        long busySince = engine.lastProgressNanos();
        assertThat(engine.recoverFromStall()).isFalse();
        assertThat(engine.lastProgressNanos()).as("a wedged engine may still answer /health").isEqualTo(busySince);
    }

    @Test
    void aStallRunsTheHooksOnceAndTakesTheEngineOutUntilItRecovers() {
        engine.healthy(true);
        AtomicInteger aborted = new AtomicInteger();
        Runnable unregister = engine.onStall(aborted::incrementAndGet);
        assertThat(engine.stall()).isTrue();
        assertThat(engine.stall()).isFalse();
        assertThat(aborted).hasValue(1);
        assertThat(engine.inRotation(System.nanoTime())).isFalse();
        assertThat(engine.recoverFromStall()).isTrue();
        assertThat(engine.inRotation(System.nanoTime())).isTrue();
        unregister.run();
        engine.stall();
        assertThat(aborted).as("an unregistered attempt is not aborted").hasValue(1);
    }
}
