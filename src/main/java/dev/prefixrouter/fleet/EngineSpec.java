package dev.prefixrouter.fleet;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.util.List;

/**
 * One engine as configured under {@code router.backends[]}.
 *
 * @param id     stable name, used in metrics and logs
 * @param url    base URL of the engine's OpenAI server, e.g. {@code http://10.0.0.7:8000}
 * @param models models it serves; empty to learn them from its {@code /v1/models}
 * @param apiKey sent upstream as {@code Authorization: Bearer ...} when set
 */
public record EngineSpec(@NotBlank String id, @NotNull URI url, List<String> models, String apiKey) {

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
    }

    @Override
    public String toString() {
        return "EngineSpec[id=" + id + ", url=" + url + ", models=" + models
                + (apiKey != null ? ", apiKey=<set>" : "") + "]";
    }
}
