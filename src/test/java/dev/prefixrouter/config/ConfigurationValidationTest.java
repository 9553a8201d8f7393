package dev.prefixrouter.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.admission.LimitsProperties;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetProperties;
import dev.prefixrouter.kvevents.KvEventsProperties;
import dev.prefixrouter.fleet.ejection.OutlierEjectionProperties;
import dev.prefixrouter.fleet.health.HealthCheckProperties;
import dev.prefixrouter.fleet.kubernetes.DiscoveryProperties;
import dev.prefixrouter.fleet.kubernetes.KubernetesDiscoveryConfiguration;
import dev.prefixrouter.fleet.scraping.EngineStatsProperties;
import dev.prefixrouter.proxy.ProxyProperties;
import dev.prefixrouter.routing.RoutingProperties;
import dev.prefixrouter.security.ClientKeysProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

/** Invalid configuration stops start-up with a message that names the property. */
class ConfigurationValidationTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({FleetProperties.class, EngineStatsProperties.class, HealthCheckProperties.class,
            OutlierEjectionProperties.class, ProxyProperties.class, RoutingProperties.class, LimitsProperties.class,
            DiscoveryProperties.class, ClientKeysProperties.class, KvEventsProperties.class})
    static class AllProperties {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(AllProperties.class);

    @Test
    void defaultsAreValid() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            ProxyProperties proxy = context.getBean(ProxyProperties.class);
            assertThat(proxy.maxAttempts()).isEqualTo(3);
            assertThat(context.getBean(RoutingProperties.class).policy())
                    .isEqualTo(RoutingProperties.PolicyName.PREFIX_AWARE);
            assertThat(context.getBean(FleetProperties.class).backends()).isEmpty();
            DiscoveryProperties discovery = context.getBean(DiscoveryProperties.class);
            assertThat(discovery.type()).isEqualTo(DiscoveryProperties.Type.STATIC);
            assertThat(discovery.kubernetes().port()).isEqualTo(8000);
            assertThat(discovery.kubernetes().scheme()).isEqualTo("http");
            assertThat(discovery.kubernetes().namespace()).isNull();
            assertThat(discovery.kubernetes().modelsAnnotation()).isEqualTo("prefix-router/models");
            assertThat(discovery.kubernetes().portAnnotation()).isEqualTo("prefix-router/port");
            assertThat(discovery.kubernetes().resyncPeriod()).isEqualTo(Duration.ofMinutes(5));
            KvEventsProperties kvEvents = context.getBean(KvEventsProperties.class);
            assertThat(kvEvents.enabled()).isFalse();
            assertThat(kvEvents.endpointTemplate()).isEqualTo("tcp://{host}:5557");
            assertThat(kvEvents.tokenizer().timeout()).isEqualTo(Duration.ofMillis(250));
            assertThat(kvEvents.tokenizer().maxConcurrent()).isEqualTo(32);
            ClientKeysProperties clientKeys = context.getBean(ClientKeysProperties.class);
            assertThat(clientKeys.enabled()).isFalse();
            assertThat(clientKeys.reloadInterval()).isEqualTo(Duration.ofSeconds(10));
        });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "router.proxy.connect-timeout=-1s       | router.proxy.connect-timeout must be positive",
            "router.proxy.max-attempts=0            | maxAttempts",
            "router.proxy.trusted-proxies=10.0.0.0/8,proxy.local | router.proxy.trusted-proxies[1] must be an IPv4",
            "router.outlier-ejection.max-ejection-time=1s | router.outlier-ejection.max-ejection-time (PT1S) must be at least",
            "router.health-check.interval=0s        | router.health-check.interval must be positive",
            "router.engine-stats.max-age=1s         | router.engine-stats.max-age (PT1S) must be at least",
            "router.routing.policy=fastest          | router.routing.policy",
            "router.limits.max-body-size=lots       | router.limits.max-body-size",
            "router.backends[0].id=a;router.backends[0].url=ftp://h/ | router.backends[].url must be an http or https URL",
            "router.backends[0].url=http://h:1                       | backends[0].id",
            "router.discovery.type=consul               | router.discovery.type",
            "router.client-keys.keys[bad name]=sk-1     | router.client-keys.keys: 'bad name' is not a valid key name",
            "router.client-keys.keys.ops=               | router.client-keys.keys.ops must not be blank",
            "router.client-keys.reload-interval=0s      | router.client-keys.reload-interval must be positive",
            "router.discovery.type=kubernetes           | router.discovery.kubernetes.label-selector must be set",
            "router.discovery.kubernetes.port=0         | router.discovery.kubernetes.port must be between 1 and",
            "router.discovery.kubernetes.scheme=ftp     | router.discovery.kubernetes.scheme must be http or https",
            "router.discovery.kubernetes.resync-period=-1s | router.discovery.kubernetes.resync-period must not be",
            "router.discovery.kubernetes.api-server-url=h:80 | router.discovery.kubernetes.api-server-url must be",
            "router.kv-events.block-size=0              | router.kv-events.block-size must be at least 1",
            "router.kv-events.max-memory=10B            | router.kv-events.max-memory must be at least 1KB",
            "router.kv-events.tokenizer.max-concurrent=0 | router.kv-events.tokenizer.max-concurrent must be at least 1",
            "router.kv-events.heartbeat-interval=-1s    | router.kv-events.heartbeat-interval must be between 0",
            "router.kv-events.tokenizer.min-earlier-turns-share=0 | min-earlier-turns-share must be above 0"})
    void invalidValuesNameTheProperty(String properties, String expected) {
        runner.withPropertyValues(properties.split(";")).run(context -> {
            assertThat(context).hasFailed();
            assertThat(messages(context.getStartupFailure())).contains(expected);
        });
    }

    @Test
    void duplicateBackendIdsAreRejected() {
        runner.withPropertyValues("router.backends[0].id=a", "router.backends[0].url=http://h:1",
                "router.backends[1].id=a", "router.backends[1].url=http://h:2").run(context -> {
            assertThat(context).hasFailed();
            assertThat(messages(context.getStartupFailure())).contains("router.backends[].id must be unique");
        });
    }

    @Test
    void staticBackendsAreRejectedInKubernetesMode() {
        runner.withUserConfiguration(KubernetesDiscoveryConfiguration.class)
                .withBean(Fleet.class)
                .withPropertyValues("router.discovery.type=kubernetes",
                        "router.discovery.kubernetes.label-selector=app=vllm",
                        "router.backends[0].id=a", "router.backends[0].url=http://h:1")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(messages(context.getStartupFailure()))
                            .contains("router.backends must be empty when router.discovery.type is kubernetes");
                });
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
