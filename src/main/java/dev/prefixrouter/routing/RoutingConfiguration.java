package dev.prefixrouter.routing;

import dev.prefixrouter.trie.HashTrie;
import lombok.extern.slf4j.Slf4j;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Creates the routing policy selected by {@code router.routing.policy}. */
@Slf4j
@Configuration(proxyBeanMethods = false)
class RoutingConfiguration {

    @Bean
    RoutingPolicy routingPolicy(RoutingProperties properties, EngineLoad load, HashTrie trie, EngineSlots slots,
            PrefixMatchStatistics statistics, ObjectProvider<EngineCaches> caches) {
        RoutingPolicy policy = switch (properties.policy()) {
            case PREFIX_AWARE -> new PrefixAwarePolicy(trie, slots, load, properties.prefix(), statistics);
            case PRECISE -> new PrefixAwarePolicy(trie, slots, load, properties.prefix(), statistics,
                    caches.getIfAvailable(() -> {
                        throw new IllegalStateException("router.routing.policy=precise routes on the engines' own"
                                + " KV-cache events: set router.kv-events.enabled=true (and start the engines with"
                                + " --kv-events-config), or choose prefix-aware");
                    }));
            case LEAST_LOADED -> new LeastLoadedPolicy(load::requests);
            case ROUND_ROBIN -> new RoundRobinPolicy();
            case SESSION -> new SessionAffinityPolicy(new LeastLoadedPolicy(load::requests));
        };
        log.info("routing policy: {}", policy.name());
        return policy;
    }
}
