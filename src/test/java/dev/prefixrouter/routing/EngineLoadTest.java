package dev.prefixrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.backend.BackendRegistry;
import dev.prefixrouter.backend.BackendSpec;
import dev.prefixrouter.backend.Endpoint;
import dev.prefixrouter.backend.EngineStats;
import dev.prefixrouter.backend.EngineStatsProperties;
import dev.prefixrouter.backend.FleetProperties;
import dev.prefixrouter.backend.Sample;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineLoadTest {

    private final EngineLoad load = new EngineLoad(
            new EngineStatsProperties(true, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(10)));
    private final Endpoint endpoint = new BackendRegistry(new FleetProperties(List.of()))
            .add(new BackendSpec("e", URI.create("http://127.0.0.1:1"), List.of("m"), null));

    private static EngineStats stats(double running, double waiting, long scrapedAtNanos) {
        return EngineStats.from(List.of(
                new Sample("vllm:num_requests_running", Map.of("model_name", "m"), running),
                new Sample("vllm:num_requests_waiting", Map.of("model_name", "m"), waiting)), scrapedAtNanos);
    }

    @Test
    void withoutStatsTheRoutersOwnCountIsTheLoad() {
        endpoint.requestStarted();
        assertThat(load.requests(endpoint)).isEqualTo(1);
        assertThat(load.waiting(endpoint)).isZero();
    }

    @Test
    void freshEngineReportWinsWhenItSeesMore() {
        endpoint.requestStarted();
        endpoint.engineStats(stats(4, 3, System.nanoTime()));
        assertThat(load.requests(endpoint)).isEqualTo(7);
        assertThat(load.waiting(endpoint)).isEqualTo(3);
    }

    @Test
    void routersOwnCountWinsWhenTheReportLags() {
        for (int i = 0; i < 5; i++) {
            endpoint.requestStarted();
        }
        endpoint.engineStats(stats(1, 0, System.nanoTime()));
        assertThat(load.requests(endpoint)).isEqualTo(5);
    }

    @Test
    void staleReportIsIgnored() {
        endpoint.engineStats(stats(40, 30, System.nanoTime() - Duration.ofSeconds(11).toNanos()));
        assertThat(load.requests(endpoint)).isZero();
        assertThat(load.waiting(endpoint)).isZero();
        assertThat(load.freshStats(endpoint)).isNull();
    }
}
