package dev.prefixrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.backend.BackendRegistry;
import dev.prefixrouter.backend.BackendSpec;
import dev.prefixrouter.backend.Endpoint;
import dev.prefixrouter.backend.FleetProperties;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyRankingTest {

    private final RoutingRequest request = new RoutingRequest("m", "prompt", null);

    private static List<Endpoint> fleet(int size) {
        BackendRegistry registry = new BackendRegistry(new FleetProperties(List.of()));
        for (int i = 0; i < size; i++) {
            registry.add(new BackendSpec("e" + i, URI.create("http://127.0.0.1:" + (9000 + i)), List.of("m"), null));
        }
        return registry.endpoints();
    }

    @Test
    void roundRobinCyclesAndRanksEveryCandidate() {
        List<Endpoint> endpoints = fleet(3);
        RoundRobinPolicy policy = new RoundRobinPolicy();
        Map<String, Integer> firsts = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            List<Endpoint> ranked = policy.route(request, endpoints).ranked();
            assertThat(ranked).containsExactlyInAnyOrderElementsOf(endpoints);
            firsts.merge(ranked.get(0).id(), 1, Integer::sum);
        }
        assertThat(firsts).containsEntry("e0", 10).containsEntry("e1", 10).containsEntry("e2", 10);
    }

    @Test
    void leastLoadedRanksByInFlightAndRotatesAmongEquals() {
        List<Endpoint> endpoints = fleet(3);
        endpoints.get(0).requestStarted();
        endpoints.get(0).requestStarted();
        endpoints.get(2).requestStarted();
        LeastLoadedPolicy policy = new LeastLoadedPolicy(Endpoint::inFlight);
        assertThat(policy.route(request, endpoints).ranked()).extracting(Endpoint::id)
                .containsExactly("e1", "e2", "e0");

        endpoints.get(1).requestStarted();
        Map<String, Integer> firsts = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            firsts.merge(policy.route(request, endpoints).ranked().get(0).id(), 1, Integer::sum);
        }
        assertThat(firsts).containsOnlyKeys("e1", "e2").containsEntry("e1", 10);
    }
}
