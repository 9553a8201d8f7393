package dev.prefixrouter.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class OtlpEndpointAliasTest {

    private static StandardEnvironment environment(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
        new OtlpEndpointAlias().postProcessEnvironment(environment, new SpringApplication());
        return environment;
    }

    @Test
    void springBoot3sNameSetsTheEndpoint() {
        assertThat(environment(Map.of(OtlpEndpointAlias.OLD, " http://collector:4318/v1/traces "))
                .getProperty(OtlpEndpointAlias.NEW)).isEqualTo("http://collector:4318/v1/traces");
    }

    @Test
    void theCurrentNameWins() {
        assertThat(environment(Map.of(OtlpEndpointAlias.OLD, "http://old:4318/v1/traces",
                OtlpEndpointAlias.NEW, "http://new:4318/v1/traces")).getProperty(OtlpEndpointAlias.NEW))
                .isEqualTo("http://new:4318/v1/traces");
    }

    @Test
    void neitherMeansNoExport() {
        assertThat(environment(Map.of()).getProperty(OtlpEndpointAlias.NEW)).isNull();
        assertThat(environment(Map.of(OtlpEndpointAlias.OLD, "")).getProperty(OtlpEndpointAlias.NEW)).isNull();
    }
}
