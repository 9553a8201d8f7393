package dev.prefixrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.EngineSpec;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetProperties;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyRankingTest {

    private final RoutingRequest request = new RoutingRequest("m", "prompt", null);

    private static List<Engine> fleet(int size) {
        Fleet registry = new Fleet(new FleetProperties(List.of()));
        for (int i = 0; i < size; i++) {
            registry.add(new EngineSpec("e" + i, URI.create("http://127.0.0.1:" + (9000 + i)), List.of("m"), null));
        }
        return registry.engines();
    }

    @Test
    void roundRobinCyclesAndRanksEveryCandidate() {
        List<Engine> engines = fleet(3);
        RoundRobinPolicy policy = new RoundRobinPolicy();
        Map<String, Integer> firsts = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            List<Engine> ranked = policy.route(request, engines).ranked();
            assertThat(ranked).containsExactlyInAnyOrderElementsOf(engines);
            firsts.merge(ranked.get(0).id(), 1, Integer::sum);
        }
        assertThat(firsts).containsEntry("e0", 10).containsEntry("e1", 10).containsEntry("e2", 10);
    }

    @Test
    void leastLoadedRanksByInFlightAndRotatesAmongEquals() {
        List<Engine> engines = fleet(3);
        engines.get(0).requestStarted();
        engines.get(0).requestStarted();
        engines.get(2).requestStarted();
        LeastLoadedPolicy policy = new LeastLoadedPolicy(Engine::inFlight);
        assertThat(policy.route(request, engines).ranked()).extracting(Engine::id)
                .containsExactly("e1", "e2", "e0");

        engines.get(1).requestStarted();
        Map<String, Integer> firsts = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            firsts.merge(policy.route(request, engines).ranked().get(0).id(), 1, Integer::sum);
        }
        assertThat(firsts).containsOnlyKeys("e1", "e2").containsEntry("e1", 10);
    }
}
