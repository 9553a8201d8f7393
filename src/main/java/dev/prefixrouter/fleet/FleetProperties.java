package dev.prefixrouter.fleet;

import jakarta.validation.Valid;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The static fleet: {@code router.backends[]}. Engines may also join at run time (the demo profile, discovery).
 *
 * @param backends the engines to route to
 */
@Validated
@ConfigurationProperties("router")
public record FleetProperties(@DefaultValue List<@Valid EngineSpec> backends) {

    public FleetProperties {
        Set<String> ids = new HashSet<>();
        for (EngineSpec engine : backends) {
            if (engine.id() != null && !ids.add(engine.id())) {
                throw new IllegalArgumentException("router.backends[].id must be unique; '" + engine.id()
                        + "' appears twice");
            }
        }
        backends = List.copyOf(backends);
    }
}
