package dev.prefixrouter.security;

import static dev.prefixrouter.config.PropertyChecks.requirePositive;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Client API keys, {@code router.client-keys.*}: off (every client is served, as before) unless keys are given
 * here or in a file; then every {@code /v1/*} request needs {@code Authorization: Bearer <one of them>}.
 *
 * @param keys           keys by name, e.g. {@code team-a: sk-...}; names (1 to 64 of {@code A-Z a-z 0-9 . _ -})
 *                       may be logged, keys never
 * @param file           a file of keys, one per line as {@code name:key} or a bare {@code key} (named
 *                       {@code line-<n>}); blank lines and lines starting with {@code #} are skipped. Typically a
 *                       Kubernetes Secret mounted as a volume: it is read again every {@code reload-interval} and a
 *                       change takes effect without a restart
 * @param reloadInterval how often the file is read again
 */
@Validated
@ConfigurationProperties("router.client-keys")
public record ClientKeysProperties(
        @DefaultValue Map<String, String> keys,
        String file,
        @NotNull @DefaultValue("10s") Duration reloadInterval) {

    static final String PREFIX = "router.client-keys.";

    public ClientKeysProperties {
        keys = keys == null ? Map.of() : Map.copyOf(keys);
        for (Map.Entry<String, String> key : keys.entrySet()) {
            if (!KeySet.isValidName(key.getKey())) {
                throw new IllegalArgumentException(PREFIX + "keys: '" + key.getKey() + "' is not a valid key name"
                        + " (1 to 64 of A-Z a-z 0-9 . _ -)");
            }
            if (key.getValue() == null || key.getValue().isBlank()) {
                throw new IllegalArgumentException(PREFIX + "keys." + key.getKey() + " must not be blank");
            }
        }
        file = file == null || file.isBlank() ? null : file.trim();
        requirePositive(reloadInterval, PREFIX + "reload-interval");
    }

    /** Whether clients must present a key: some are configured, or a key file is. */
    public boolean enabled() {
        return !keys.isEmpty() || file != null;
    }

    /** Names only: the keys themselves never reach a log line. */
    @Override
    public String toString() {
        return "ClientKeysProperties[keys=" + new TreeMap<>(keys).keySet() + " (<set>), file=" + file
                + ", reloadInterval=" + reloadInterval + "]";
    }
}
