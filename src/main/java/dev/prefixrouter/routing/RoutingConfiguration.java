package dev.prefixrouter.routing;

import lombok.extern.slf4j.Slf4j;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Creates the routing policy selected by {@code router.routing.policy}. */
@Slf4j
@Configuration(proxyBeanMethods = false)
class RoutingConfiguration {

    @Bean
    RoutingPolicy routingPolicy(RoutingProperties properties, EngineLoad load) {
        RoutingPolicy policy = switch (properties.policy()) {
            case ROUND_ROBIN -> new RoundRobinPolicy();
            case LEAST_LOADED -> new LeastLoadedPolicy(load::requests);
        };
        log.info("routing policy: {}", policy.name());
        return policy;
    }
}
