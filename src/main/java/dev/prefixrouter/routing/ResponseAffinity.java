package dev.prefixrouter.routing;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Which engine holds each stored Responses-API response. vLLM keeps a stored response ({@code store: true}, the
 * default) in the memory of the engine that produced it, so a follow-up ({@code previous_response_id}) and a
 * {@code GET}, {@code DELETE} or cancel of the id only work there. The router learns the id from the engine's
 * answer and remembers it here, least recently used first out past {@code router.routing.responses.max-ids}; each entry
 * is accounted at {@link #bytesPerEntry} (the id, the engine id and the map's node), shown in
 * {@code router_responses_ids} and {@code router_responses_bytes}.
 *
 * <p>Concurrency: short critical sections under {@code this}; called from event loops.
 */
@Component
public class ResponseAffinity implements MeterBinder {

    private final int maxIds;
    private final LinkedHashMap<String, String> engineById;
    private long bytes;

    public ResponseAffinity(RoutingProperties properties) {
        this.maxIds = properties.responses().maxIds();
        this.engineById = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                if (size() > maxIds) {
                    bytes -= bytesPerEntry(eldest.getKey());
                    return true;
                }
                return false;
            }
        };
    }

    /** What an entry costs: the node (48), the id (a Latin-1 String: 24 + 16 + its length) and a reference. */
    static long bytesPerEntry(String responseId) {
        return 48 + 40 + responseId.length() + 8;
    }

    /** The engine {@code engineId} answered with (and stores) the response {@code responseId}. */
    public synchronized void remember(String responseId, String engineId) {
        if (engineById.put(responseId, engineId) == null) {
            bytes += bytesPerEntry(responseId);
        }
    }

    /** The engine that stores the response, if this router saw it made. */
    public synchronized Optional<String> engineOf(String responseId) {
        return Optional.ofNullable(engineById.get(responseId));
    }

    /** Forgets a deleted response. */
    public synchronized void forget(String responseId) {
        if (engineById.remove(responseId) != null) {
            bytes -= bytesPerEntry(responseId);
        }
    }

    public synchronized int size() {
        return engineById.size();
    }

    public synchronized long accountedBytes() {
        return bytes;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("router.responses.ids", this, ResponseAffinity::size)
                .description("Stored responses whose engine this router remembers").register(registry);
        Gauge.builder("router.responses.bytes", this, ResponseAffinity::accountedBytes).baseUnit("bytes")
                .description("Accounted bytes of that map").register(registry);
    }
}
