package dev.prefixrouter.backend;

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
public record FleetProperties(@DefaultValue List<@Valid BackendSpec> backends) {

    public FleetProperties {
        Set<String> ids = new HashSet<>();
        for (BackendSpec backend : backends) {
            if (backend.id() != null && !ids.add(backend.id())) {
                throw new IllegalArgumentException("router.backends[].id must be unique; '" + backend.id()
                        + "' appears twice");
            }
        }
        backends = List.copyOf(backends);
    }
}
