package dev.prefixrouter.trie;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.util.unit.DataSize;

/** router.hashtrie: defaults, validation naming the property, and production-stack's environment variables. */
class HashTrieConfigTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(HashTrieConfig.class)
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void defaults() {
        runner.run(context -> {
            HashTrieConfig config = context.getBean(HashTrieConfig.class);
            assertThat(config.chunkSize()).isEqualTo(128);
            assertThat(config.maxMemory()).isEqualTo(DataSize.ofMegabytes(256));
            assertThat(config.evictionThreshold()).isEqualTo(0.9);
            assertThat(config.targetUtilization()).isEqualTo(0.8);
        });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "router.hashtrie.chunk-size=0                | router.hashtrie.chunk-size must be at least 1",
            "router.hashtrie.eviction-threshold=1.5      | router.hashtrie.eviction-threshold must be in (0, 1]",
            "router.hashtrie.eviction-threshold=0        | router.hashtrie.eviction-threshold must be in (0, 1]",
            "router.hashtrie.target-utilization=0.95     | router.hashtrie.target-utilization must be at least 0 and below",
            "router.hashtrie.max-memory=32B              | router.hashtrie.max-memory must hold at least one node",
            "router.hashtrie.memory-check-interval=0s    | router.hashtrie.memory-check-interval must be positive",
            "router.hashtrie.endpoint-cache-capacity=10  | router.hashtrie.endpoint-cache-capacity must hold at least one chunk"})
    void invalidValuesStopStartupNamingTheProperty(String property, String message) {
        runner.withPropertyValues(property).run(context -> {
            assertThat(context).hasFailed();
            StringBuilder messages = new StringBuilder();
            for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
            }
            assertThat(messages.toString()).contains(message);
        });
    }

    private static StandardEnvironment environment(Map<String, Object> variables, Map<String, Object> files) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        variables));
        environment.getPropertySources().addLast(new MapPropertySource("application.yml", files));
        new ProductionStackEnvironment().postProcessEnvironment(environment, new SpringApplication());
        return environment;
    }

    private static HashTrieConfig bind(StandardEnvironment environment) {
        return Binder.get(environment).bindOrCreate("router.hashtrie", HashTrieConfig.class);
    }

    @Test
    void productionStackVariablesSetTheIndex() {
        HashTrieConfig config = bind(environment(Map.of("HASHTRIE_CHUNK_SIZE", "256",
                "PREFIXAWARE_MAX_MEMORY_SIZE_GB", "2", "HASHTRIE_EVICTION_THRESHOLD", "0.85",
                "HASHTRIE_TARGET_UTILIZATION", "0.5"), Map.of()));
        assertThat(config.chunkSize()).isEqualTo(256);
        assertThat(config.maxMemory()).isEqualTo(DataSize.ofGigabytes(2));
        assertThat(config.evictionThreshold()).isEqualTo(0.85);
        assertThat(config.targetUtilization()).isEqualTo(0.5);
    }

    @Test
    void theyBeatConfigurationFilesButNotTheRoutersOwnVariables() {
        Map<String, Object> variables = new HashMap<>();
        variables.put("HASHTRIE_CHUNK_SIZE", "256");
        variables.put("PREFIXAWARE_MAX_MEMORY_SIZE_GB", "2");
        variables.put("ROUTER_HASHTRIE_MAXMEMORY", "64MB");
        HashTrieConfig config = bind(environment(variables, Map.of("router.hashtrie.chunk-size", "64")));
        assertThat(config.chunkSize()).isEqualTo(256);
        assertThat(config.maxMemory()).isEqualTo(DataSize.ofMegabytes(64));
    }

    @Test
    void withoutThemNothingIsAdded() {
        StandardEnvironment environment = environment(Map.of(), Map.of());
        assertThat(environment.getPropertySources().contains(ProductionStackEnvironment.SOURCE_NAME)).isFalse();
    }
}
