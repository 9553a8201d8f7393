package dev.prefixrouter.fleet;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.util.List;
import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * One engine as configured under {@code router.backends[]}.
 *
 * @param id     stable name, used in metrics and logs
 * @param url    base URL of the engine's OpenAI server, e.g. {@code http://10.0.0.7:8000}
 * @param models models it serves; empty to learn them from its {@code /v1/models}
 * @param apiKey sent upstream as {@code Authorization: Bearer ...} when set
 * @param kvEventsEndpoint where the engine publishes its KV-cache events (a ZMQ endpoint such as
 *                         {@code tcp://10.0.0.7:5557}) when discovery learnt it, e.g. from a pod annotation; else
 *                         {@code null}. The fleet only carries it; the KV-event subscriptions read it.
 */
public record EngineSpec(@NotBlank String id, @NotNull URI url, List<String> models, String apiKey,
        String kvEventsEndpoint) {

    /**
     * An engine whose KV-event endpoint, if any, comes from configuration rather than discovery. The one
     * {@code router.backends[]} binds to: the KV-event endpoints are configured under {@code router.kv-events}.
     */
    @ConstructorBinding
    public EngineSpec(String id, URI url, List<String> models, String apiKey) {
        this(id, url, models, apiKey, null);
    }

    public EngineSpec {
        if (url != null && !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
            throw new IllegalArgumentException(
                    "router.backends[].url must be an http or https URL, was '" + url + "'");
        }
        if (url != null && url.getHost() == null) {
            throw new IllegalArgumentException("router.backends[].url has no host: '" + url + "'");
        }
        models = models == null ? List.of() : List.copyOf(models);
        apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        kvEventsEndpoint = kvEventsEndpoint == null || kvEventsEndpoint.isBlank() ? null : kvEventsEndpoint.trim();
    }

    @Override
    public String toString() {
        return "EngineSpec[id=" + id + ", url=" + url + ", models=" + models
                + (apiKey != null ? ", apiKey=<set>" : "")
                + (kvEventsEndpoint != null ? ", kvEventsEndpoint=" + kvEventsEndpoint : "") + "]";
    }
}
