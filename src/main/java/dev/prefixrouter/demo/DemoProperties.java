package dev.prefixrouter.demo;

import dev.prefixrouter.sim.EngineModel;
import dev.prefixrouter.sim.EngineModelKind;
import dev.prefixrouter.sim.KvEventsConfig;
import jakarta.validation.constraints.DecimalMin;
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
 * @param engineModel       {@code kv-cache} (vLLM-like prefix cache and batching: a cache hit shortens the time
 *                          to first token) or {@code fixed} (constant latencies)
 * @param numGpuBlocks      KV cache per engine, in blocks of 16 tokens ({@code kv-cache})
 * @param timeScale         how much faster than real time the engines run ({@code kv-cache})
 * @param timeToFirstToken  delay before each response's first token ({@code fixed})
 * @param interTokenLatency delay between tokens ({@code fixed})
 * @param maxTokens         tokens generated when a request sets no {@code max_tokens}
 */
@Validated
@ConfigurationProperties("router.demo")
public record DemoProperties(
        @Min(1) @DefaultValue("4") int engines,
        @NotBlank @DefaultValue("demo-model") String model,
        @NotNull @DefaultValue("kv-cache") EngineModelKind engineModel,
        @Min(1) @DefaultValue("8192") int numGpuBlocks,
        @DecimalMin(value = "0", inclusive = false) @DefaultValue("1") double timeScale,
        @NotNull @DefaultValue("150ms") Duration timeToFirstToken,
        @NotNull @DefaultValue("20ms") Duration interTokenLatency,
        @Min(1) @DefaultValue("32") int maxTokens) {

    EngineModel createModel(KvEventsConfig kvEvents) {
        return engineModel.create(timeToFirstToken, interTokenLatency, numGpuBlocks, timeScale, kvEvents);
    }
}
