package dev.prefixrouter.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.fleet.EngineSpec;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetProperties;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Engines come and go (pods churn); their series must go with them. Retry reasons are there from the start. */
class RouterMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Fleet fleet = new Fleet(new FleetProperties(List.of()));
    private final RouterMetrics metrics = new RouterMetrics(registry, fleet);

    private List<String> engineTags() {
        return registry.getMeters().stream().map(Meter::getId).map(id -> id.getTag("backend"))
                .filter(tag -> tag != null).distinct().sorted().toList();
    }

    @Test
    void everyMeterOfAnEngineThatLeftIsRemoved() {
        fleet.add(new EngineSpec("pod-a", URI.create("http://10.0.0.1:8000"), List.of("m"), null));
        fleet.add(new EngineSpec("pod-b", URI.create("http://10.0.0.2:8000"), List.of("m"), null));
        for (String engine : List.of("pod-a", "pod-b")) {
            metrics.firstByte("m", engine, 1_000_000);
            metrics.requestFinished("m", engine, 200, 2_000_000);
            metrics.requestFinished("m", engine, 503, 2_000_000);
        }
        assertThat(engineTags()).containsExactly("pod-a", "pod-b");

        fleet.remove("pod-a");
        assertThat(engineTags()).containsExactly("pod-b");

        // A request that was still running on the pod finishes later: counted, but not under its id again.
        metrics.requestFinished("m", "pod-a", 200, 2_000_000);
        assertThat(engineTags()).containsExactly("departed", "pod-b");
        for (int i = 0; i < 50; i++) { // churn: the series count stays bounded
            String pod = "pod-churn-" + i;
            fleet.add(new EngineSpec(pod, URI.create("http://10.0.1." + i + ":8000"), List.of("m"), null));
            metrics.requestFinished("m", pod, 200, 1_000_000);
            fleet.remove(pod);
        }
        assertThat(engineTags()).containsExactly("departed", "pod-b");
    }

    @Test
    void everyRetryReasonIsCountedFromZeroSoThatRateSeesTheFirst() {
        for (String reason : RouterMetrics.RETRY_REASONS) {
            assertThat(registry.get("router.retries").tag("reason", reason).counter().count()).isZero();
        }
        metrics.retried("engine_stalled");
        assertThat(registry.get("router.retries").tag("reason", "engine_stalled").counter().count()).isEqualTo(1);
    }
}
