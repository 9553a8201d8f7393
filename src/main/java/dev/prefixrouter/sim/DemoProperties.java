package dev.prefixrouter.sim;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The simulated engines the {@code demo} profile starts inside the router's JVM.
 *
 * @param engines           how many engines
 * @param model             the model they serve
 * @param timeToFirstToken  delay before each response's first token
 * @param interTokenLatency delay between tokens
 * @param maxTokens         tokens generated when a request sets no {@code max_tokens}
 */
@Validated
@ConfigurationProperties("router.demo")
public record DemoProperties(
        @Min(1) @DefaultValue("4") int engines,
        @NotBlank @DefaultValue("demo-model") String model,
        @NotNull @DefaultValue("150ms") Duration timeToFirstToken,
        @NotNull @DefaultValue("20ms") Duration interTokenLatency,
        @Min(1) @DefaultValue("32") int maxTokens) {
}
