package dev.prefixrouter.security;

import dev.prefixrouter.error.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The keys clients may present now: those in {@code router.client-keys.keys} plus, when a key file is configured,
 * the keys of its latest good content ({@link KeyFileWatcher} keeps them current).
 *
 * <p>Concurrency: one immutable {@link KeySet} in a volatile field. The watcher's thread replaces it whole;
 * request threads read it without a lock and check a key against the set they read.
 */
@Component
public class ClientKeys {

    private final boolean enabled;
    private final KeySet configured;
    private volatile KeySet current;
    private final Counter missing;
    private final Counter invalid;

    public ClientKeys(ClientKeysProperties properties, MeterRegistry registry) {
        this.enabled = properties.enabled();
        this.configured = KeySet.of(properties.keys());
        this.current = configured;
        this.missing = rejections(registry, "missing");
        this.invalid = rejections(registry, "invalid");
        Gauge.builder("router.client_keys", this, keys -> keys.current.size())
                .description("Client API keys accepted now (configured and from the key file)")
                .register(registry);
    }

    /** Whether clients must present a key. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Why a request with these {@code Authorization} header values ({@code null} or empty when it has none) may not
     * pass, counted in {@code router_client_key_rejections_total{reason="missing"|"invalid"}}; {@code null} when it
     * presents a current key. Only asked when client keys are on.
     */
    public ApiException refusal(List<String> authorization) {
        if (authorization == null || authorization.isEmpty()) {
            missing.increment();
            return ApiException.missingApiKey();
        }
        String token = BearerToken.of(authorization);
        if (token == null || nameOf(token) == null) {
            invalid.increment();
            return ApiException.invalidApiKey();
        }
        return null;
    }

    /** The name of the key {@code token} is, or {@code null} when it is none of the current keys. */
    String nameOf(String token) {
        return current.match(token);
    }

    /** Puts the key file's keys in force beside the configured ones; fails, changing nothing, on a name clash. */
    void useFileKeys(KeySet fromFile) {
        current = configured.plus(fromFile);
    }

    /** The names of the keys in force. */
    List<String> names() {
        return current.names();
    }

    private static Counter rejections(MeterRegistry registry, String reason) {
        return Counter.builder("router.client_key.rejections")
                .description("Requests refused with 401 for a missing or wrong client API key")
                .tag("reason", reason)
                .register(registry);
    }
}
