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

class SessionAffinityPolicyTest {

    private final Fleet fleet = new Fleet(new FleetProperties(List.of()));
    private final SessionAffinityPolicy policy = new SessionAffinityPolicy(new RoundRobinPolicy());

    private void add(String id) {
        fleet.add(new EngineSpec(id, URI.create("http://10.1.0.1:8000/" + id), List.of("m"), null));
    }

    private String route(String session) {
        return policy.route(new RoutingRequest("m", "prompt", session), fleet.engines()).ranked().get(0).id();
    }

    @Test
    void aSessionStaysOnItsEngineAndSessionsSpread() {
        for (int i = 0; i < 5; i++) {
            add("engine-" + i);
        }
        Map<String, Integer> perEngine = new HashMap<>();
        for (int s = 0; s < 200; s++) {
            String engine = route("session-" + s);
            assertThat(route("session-" + s)).isEqualTo(engine);
            perEngine.merge(engine, 1, Integer::sum);
        }
        assertThat(perEngine).hasSize(5);
        assertThat(perEngine.values()).allMatch(count -> count > 15);
    }

    @Test
    void sessionsMoveOnlyWhenTheirOwnEngineLeaves() {
        for (int i = 0; i < 5; i++) {
            add("engine-" + i);
        }
        Map<String, String> before = new HashMap<>();
        for (int s = 0; s < 200; s++) {
            before.put("session-" + s, route("session-" + s));
        }
        add("engine-new");
        fleet.remove("engine-2");
        for (Map.Entry<String, String> session : before.entrySet()) {
            String now = route(session.getKey());
            if (!session.getValue().equals("engine-2") && !now.equals("engine-new")) {
                assertThat(now).as(session.getKey()).isEqualTo(session.getValue());
            }
        }
        long moved = before.entrySet().stream().filter(e -> !route(e.getKey()).equals(e.getValue())).count();
        assertThat(moved).as("only engine-2's sessions and a share for the newcomer move").isLessThan(120);
    }

    @Test
    void fallbacksAreTheNextScoresAndRequestsWithoutSessionUseTheFallbackPolicy() {
        for (int i = 0; i < 3; i++) {
            add("engine-" + i);
        }
        List<Engine> ranked = policy.route(new RoutingRequest("m", "p", "abc"), fleet.engines()).ranked();
        assertThat(ranked).containsExactlyInAnyOrderElementsOf(fleet.engines());
        Map<String, Integer> firsts = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            firsts.merge(route(null), 1, Integer::sum);
        }
        assertThat(firsts).hasSize(3);
    }
}
