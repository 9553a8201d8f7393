package dev.prefixrouter.observability;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code backends} health: UP while at least one engine is healthy. Part of the readiness group, so a router that
 * can reach no engine is taken out of its Service instead of answering 503s.
 */
@Component("backends")
public class EnginesHealthIndicator implements HealthIndicator {

    private final Fleet fleet;

    public EnginesHealthIndicator(Fleet fleet) {
        this.fleet = fleet;
    }

    @Override
    public Health health() {
        Map<String, Object> states = new LinkedHashMap<>();
        for (Engine engine : fleet.engines()) {
            states.put(engine.id(), engine.healthy() ? "UP" : "DOWN");
        }
        Health.Builder health = fleet.healthyCount() > 0 ? Health.up() : Health.down();
        return health.withDetail("healthy", fleet.healthyCount()).withDetail("backends", states).build();
    }
}
