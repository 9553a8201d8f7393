package dev.prefixrouter.routing;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How requests are spread over the engines.
 *
 * @param policy        {@code round-robin} or {@code least-loaded}
 * @param sessionHeader request header that carries a session key (falls back to the body's {@code user})
 */
@Validated
@ConfigurationProperties("router.routing")
public record RoutingProperties(
        @NotNull @DefaultValue("least-loaded") PolicyName policy,
        @NotBlank @DefaultValue("x-session-id") String sessionHeader) {

    /** The selectable policies; bound from their kebab-case names, e.g. {@code round-robin}. */
    public enum PolicyName {
        ROUND_ROBIN,
        LEAST_LOADED
    }
}
