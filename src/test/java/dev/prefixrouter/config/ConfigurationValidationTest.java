package dev.prefixrouter.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.api.LimitsProperties;
import dev.prefixrouter.backend.EngineStatsProperties;
import dev.prefixrouter.backend.FleetProperties;
import dev.prefixrouter.backend.HealthCheckProperties;
import dev.prefixrouter.backend.OutlierEjectionProperties;
import dev.prefixrouter.proxy.ProxyProperties;
import dev.prefixrouter.routing.RoutingProperties;
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
    @EnableConfigurationProperties({FleetProperties.class, EngineStatsProperties.class, HealthCheckProperties.class, OutlierEjectionProperties.class, ProxyProperties.class,
            RoutingProperties.class, LimitsProperties.class})
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
                    .isEqualTo(RoutingProperties.PolicyName.LEAST_LOADED);
            assertThat(context.getBean(FleetProperties.class).backends()).isEmpty();
        });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "router.proxy.connect-timeout=-1s       | router.proxy.connect-timeout must be positive",
            "router.proxy.max-attempts=0            | maxAttempts",
            "router.outlier-ejection.max-ejection-time=1s | router.outlier-ejection.max-ejection-time (PT1S) must be at least",
            "router.health-check.interval=0s        | router.health-check.interval must be positive",
            "router.engine-stats.max-age=1s         | router.engine-stats.max-age (PT1S) must be at least",
            "router.routing.policy=fastest          | router.routing.policy",
            "router.limits.max-body-size=lots       | router.limits.max-body-size",
            "router.backends[0].id=a;router.backends[0].url=ftp://h/ | router.backends[].url must be an http or https URL",
            "router.backends[0].url=http://h:1                       | backends[0].id"})
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

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
