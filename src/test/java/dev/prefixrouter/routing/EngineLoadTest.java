package dev.prefixrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.EngineSpec;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetProperties;
import dev.prefixrouter.fleet.scraping.EngineStatsProperties;
import dev.prefixrouter.fleet.stats.EngineStats;
import dev.prefixrouter.prometheus.Sample;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineLoadTest {

    private final EngineLoad load = new EngineLoad(
            new EngineStatsProperties(true, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(10)));
    private final Engine engine = new Fleet(new FleetProperties(List.of()))
            .add(new EngineSpec("e", URI.create("http://127.0.0.1:1"), List.of("m"), null));

    private static EngineStats stats(double running, double waiting, long scrapedAtNanos) {
        return EngineStats.from(List.of(
                new Sample("vllm:num_requests_running", Map.of("model_name", "m"), running),
                new Sample("vllm:num_requests_waiting", Map.of("model_name", "m"), waiting)), scrapedAtNanos);
    }

    @Test
    void withoutStatsTheRoutersOwnCountIsTheLoad() {
        engine.requestStarted();
        assertThat(load.requests(engine)).isEqualTo(1);
        assertThat(load.othersWaiting(engine, 0)).isZero();
    }

    @Test
    void freshEngineReportWinsWhenItSeesMore() {
        engine.requestStarted();
        engine.engineStats(stats(4, 3, System.nanoTime()));
        assertThat(load.requests(engine)).isEqualTo(7);
        assertThat(load.othersWaiting(engine, 0)).isEqualTo(3);
    }

    @Test
    void routersOwnCountWinsWhenTheReportLags() {
        for (int i = 0; i < 5; i++) {
            engine.requestStarted();
        }
        engine.engineStats(stats(1, 0, System.nanoTime()));
        assertThat(load.requests(engine)).isEqualTo(5);
    }

    @Test
    void ownRequestsThatLeftTheQueueSinceTheScrapeAreNotOthersQueue() {
        for (int i = 0; i < 5; i++) {
            engine.requestStarted();
        }
        // Scraped while all five of this router's requests waited; since then four began their prefill.
        engine.engineStats(stats(0, 5, System.nanoTime()).withRouterInFlight(5));
        assertThat(load.othersWaiting(engine, 1)).isZero();
    }

    @Test
    void othersQueueIsTheirShareOfTheWaitingRequests() {
        engine.requestStarted();
        engine.engineStats(stats(3, 4, System.nanoTime()).withRouterInFlight(1));
        assertThat(load.othersWaiting(engine, 1)).isEqualTo(4.0 * 6 / 7);
    }

    @Test
    void withoutTheRoutersShareAtTheScrapeItsCurrentPrefillsAreSubtracted() {
        engine.engineStats(stats(2, 3, System.nanoTime()));
        assertThat(load.othersWaiting(engine, 1)).isEqualTo(2);
        assertThat(load.othersWaiting(engine, 5)).isZero();
    }

    @Test
    void staleReportIsIgnored() {
        engine.engineStats(stats(40, 30, System.nanoTime() - Duration.ofSeconds(11).toNanos()));
        assertThat(load.requests(engine)).isZero();
        assertThat(load.othersWaiting(engine, 0)).isZero();
        assertThat(load.freshStats(engine)).isNull();
    }
}
