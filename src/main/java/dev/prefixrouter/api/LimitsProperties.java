package dev.prefixrouter.api;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Request limits.
 *
 * @param maxBodySize largest request body accepted; larger ones get 413 before they are read whole
 */
@Validated
@ConfigurationProperties("router.limits")
public record LimitsProperties(@NotNull @DefaultValue("16MB") DataSize maxBodySize) {
}
