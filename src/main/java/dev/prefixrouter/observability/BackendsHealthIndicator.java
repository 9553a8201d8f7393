package dev.prefixrouter.observability;

import dev.prefixrouter.backend.BackendRegistry;
import dev.prefixrouter.backend.Endpoint;
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
public class BackendsHealthIndicator implements HealthIndicator {

    private final BackendRegistry registry;

    public BackendsHealthIndicator(BackendRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Health health() {
        Map<String, Object> states = new LinkedHashMap<>();
        for (Endpoint endpoint : registry.endpoints()) {
            states.put(endpoint.id(), endpoint.healthy() ? "UP" : "DOWN");
        }
        Health.Builder health = registry.healthyCount() > 0 ? Health.up() : Health.down();
        return health.withDetail("healthy", registry.healthyCount()).withDetail("backends", states).build();
    }
}
