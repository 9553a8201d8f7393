package dev.prefixrouter.fleet.ejection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.EngineSpec;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetProperties;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OutlierDetectorTest {

    private final Fleet fleet = new Fleet(new FleetProperties(List.of()));
    private final OutlierDetector detector = new OutlierDetector(fleet,
            new OutlierEjectionProperties(true, 3, Set.of(502, 503, 504), Duration.ofSeconds(10),
                    Duration.ofSeconds(25), 50));
    private Engine first;

    @BeforeEach
    void fleet() {
        for (int i = 0; i < 4; i++) {
            Engine engine = fleet.add(new EngineSpec("e" + i, URI.create("http://127.0.0.1:" + (9000 + i)),
                    List.of("m"), null));
            engine.healthy(true);
        }
        first = fleet.engines().get(0);
    }

    private void fail(Engine engine, int times) {
        for (int i = 0; i < times; i++) {
            detector.failed(engine, "test");
        }
    }

    private double remainingSeconds(Engine engine) {
        return engine.outlierState().ejectionRemainingNanos(System.nanoTime()) / 1e9;
    }

    @Test
    void ejectsAfterConsecutiveFailuresOnly() {
        fail(first, 2);
        detector.succeeded(first);
        fail(first, 2);
        assertThat(first.inRotation(System.nanoTime())).isTrue();
        fail(first, 1);
        assertThat(first.inRotation(System.nanoTime())).isFalse();
        assertThat(fleet.candidatesFor("m").healthy()).doesNotContain(first).hasSize(3);
        assertThat(remainingSeconds(first)).isBetween(9.0, 10.0);
    }

    @Test
    void repeatedEjectionsDoubleUpToTheMaximumAndASuccessResets() {
        fail(first, 3);
        assertThat(first.outlierState().ejections()).isEqualTo(1);
        first.outlierState().eject(System.nanoTime() - Duration.ofMinutes(1).toNanos(), Duration.ofSeconds(10),
                Duration.ofSeconds(25));
        assertThat(first.inRotation(System.nanoTime())).as("ejection over: on probation").isTrue();
        fail(first, 3);
        assertThat(first.outlierState().ejections()).isEqualTo(3);
        assertThat(remainingSeconds(first)).as("10 s doubled twice, capped at 25 s").isBetween(24.0, 25.0);
        detector.succeeded(first);
        assertThat(first.outlierState().ejections()).isZero();
    }

    @Test
    void neverEjectsMoreThanTheAllowedShareOfTheFleet() {
        fleet.engines().forEach(engine -> fail(engine, 3));
        long now = System.nanoTime();
        assertThat(fleet.engines().stream().filter(e -> !e.inRotation(now)).count()).isEqualTo(2);
    }

    @Test
    void disabledDetectorNeverEjects() {
        OutlierDetector disabled = new OutlierDetector(fleet,
                new OutlierEjectionProperties(false, 1, Set.of(502, 503, 504), Duration.ofSeconds(10),
                        Duration.ofSeconds(25), 100));
        disabled.failed(first, "test");
        disabled.failed(first, "test");
        assertThat(first.inRotation(System.nanoTime())).isTrue();
    }
}
