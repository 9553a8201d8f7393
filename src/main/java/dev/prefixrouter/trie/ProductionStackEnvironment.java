package dev.prefixrouter.trie;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Honours the environment variables of vLLM production-stack's router, so operators can move over without
 * rewriting manifests: {@code HASHTRIE_CHUNK_SIZE}, {@code PREFIXAWARE_MAX_MEMORY_SIZE_GB},
 * {@code HASHTRIE_EVICTION_THRESHOLD} and {@code HASHTRIE_TARGET_UTILIZATION} become the matching
 * {@code router.hashtrie.*} properties. They rank just below the environment itself: a {@code ROUTER_HASHTRIE_*}
 * variable or a command-line argument wins, configuration files lose.
 */
public class ProductionStackEnvironment implements EnvironmentPostProcessor, Ordered {

    static final String SOURCE_NAME = "productionStackEnvironment";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Map<String, Object> aliases = new LinkedHashMap<>();
        alias(environment, "HASHTRIE_CHUNK_SIZE", "router.hashtrie.chunk-size", "", aliases);
        alias(environment, "PREFIXAWARE_MAX_MEMORY_SIZE_GB", "router.hashtrie.max-memory", "GB", aliases);
        alias(environment, "HASHTRIE_EVICTION_THRESHOLD", "router.hashtrie.eviction-threshold", "", aliases);
        alias(environment, "HASHTRIE_TARGET_UTILIZATION", "router.hashtrie.target-utilization", "", aliases);
        if (aliases.isEmpty()) {
            return;
        }
        MapPropertySource source = new MapPropertySource(SOURCE_NAME, aliases);
        String systemEnvironment = StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME;
        if (environment.getPropertySources().contains(systemEnvironment)) {
            environment.getPropertySources().addAfter(systemEnvironment, source);
        } else {
            environment.getPropertySources().addLast(source);
        }
    }

    private static void alias(ConfigurableEnvironment environment, String variable, String property, String unit,
            Map<String, Object> aliases) {
        String value = environment.getProperty(variable);
        if (value != null && !value.isBlank()) {
            aliases.put(property, value.trim() + unit);
        }
    }

    /** After the system environment has been made available, before configuration files are read. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 20;
    }
}
