package dev.prefixrouter.observability;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Accepts Spring Boot 3's name of the OTLP trace endpoint, {@code management.otlp.tracing.endpoint}
 * ({@code MANAGEMENT_OTLP_TRACING_ENDPOINT}), which most guides and manifests still use: Spring Boot 4 reads only
 * {@code management.opentelemetry.tracing.export.otlp.endpoint}, and would otherwise export nothing without a
 * word. The new name wins when both are set.
 */
public class OtlpEndpointAlias implements EnvironmentPostProcessor, Ordered {

    static final String OLD = "management.otlp.tracing.endpoint";
    static final String NEW = "management.opentelemetry.tracing.export.otlp.endpoint";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String endpoint = environment.getProperty(OLD);
        if (endpoint != null && !endpoint.isBlank() && environment.getProperty(NEW) == null) {
            environment.getPropertySources().addLast(new MapPropertySource("otlpEndpointAlias",
                    Map.of(NEW, endpoint.trim())));
        }
    }

    /** After the configuration files are read. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
