package dev.prefixrouter.kvevents;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Precise prefix routing from the engines' own KV-cache events (vLLM's {@code --kv-events-config}).
 *
 * @param enabled                subscribe to every engine's events and allow {@code router.routing.policy=precise}
 * @param endpointTemplate       the engine's ZMQ PUB endpoint, {@code {host}} replaced by the engine URL's host
 * @param replayEndpointTemplate the engine's replay (ROUTER) endpoint, {@code {host}} replaced likewise; empty for
 *                               none (a gap then forgets the engine instead of replaying)
 * @param endpoints              per engine id, its PUB endpoint, overriding the template (and the pod annotation)
 * @param replayEndpoints        per engine id, its replay endpoint, overriding the template
 * @param topic                  the topic prefix subscribed to (vLLM's {@code topic}, empty by default)
 * @param podAnnotation          in Kubernetes discovery, a pod annotation naming the pod's PUB endpoint
 * @param blockSize              tokens per KV block, as the engines' {@code --block-size} (vLLM's default 16);
 *                               events of another block size are counted as dropped
 * @param maxMemory              exact budget of the precise index (block keys and engine-hash mappings)
 * @param staleAfter             an engine sent requests but silent this long is routed approximately again
 * @param speculationTtl         how long a request routed to an engine credits it with the prompt's blocks before
 *                               the engine's own {@code BlockStored} confirms them (queueing plus prefill)
 * @param replayTimeout          how long a replay may take before the engine is forgotten and resubscribed
 * @param heartbeatInterval      how often the subscription pings the engine's PUB socket (ZMTP heartbeats, which
 *                               libzmq answers by itself); no answer within three intervals drops the connection
 *                               and dials again, so a peer that vanished without closing it (a node lost, a
 *                               network partition) is noticed; 0 for none
 * @param tokenizer              how requests are tokenized as the engines tokenize them
 */
@Validated
@ConfigurationProperties("router.kv-events")
public record KvEventsProperties(
        @DefaultValue("false") boolean enabled,
        @NotNull @DefaultValue("tcp://{host}:5557") String endpointTemplate,
        @NotNull @DefaultValue("tcp://{host}:5558") String replayEndpointTemplate,
        @DefaultValue Map<String, String> endpoints,
        @DefaultValue Map<String, String> replayEndpoints,
        @NotNull @DefaultValue("") String topic,
        @DefaultValue("prefix-router.dev/kv-events-endpoint") String podAnnotation,
        @DefaultValue("16") int blockSize,
        @NotNull @DefaultValue("64MB") DataSize maxMemory,
        @NotNull @DefaultValue("10s") Duration staleAfter,
        @NotNull @DefaultValue("10s") Duration speculationTtl,
        @NotNull @DefaultValue("2s") Duration replayTimeout,
        @NotNull @DefaultValue("2s") Duration heartbeatInterval,
        @Valid @DefaultValue Tokenizer tokenizer) {

    public KvEventsProperties {
        if (blockSize < 1) {
            throw new IllegalArgumentException("router.kv-events.block-size must be at least 1, was " + blockSize);
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.toMillis() * 3 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("router.kv-events.heartbeat-interval must be between 0 (none) and"
                    + " 8 days, was " + heartbeatInterval);
        }
        if (maxMemory.toBytes() < 1024) {
            throw new IllegalArgumentException("router.kv-events.max-memory must be at least 1KB, was " + maxMemory);
        }
    }

    /**
     * @param url         base URL of a tokenizer ({@code POST {url}/tokenize}, e.g. a CPU-only vLLM sidecar); empty
     *                    to ask the engine the request is routed among
     * @param timeout     a tokenization slower than this routes the request by the approximate index instead
     * @param cacheMemory budget of the cache of recent prompts' tokens
     * @param maxPromptSize longer prompts (their raw JSON) are not tokenized but routed by the approximate index:
     *                      an answer holds about 7 bytes per token, and a request's tokens 4 bytes each, outside
     *                      the request-memory budget
     * @param maxConcurrent tokenizations in flight at once (the rest wait for a connection, holding nothing new), so
     *                      answers being read hold at most about {@code maxConcurrent × 2 × maxPromptSize}
     * @param minEarlierTurnsShare a chat request whose leading messages were an earlier request, cached, making at
     *                      least this share of its messages' bytes is routed by their tokens without waiting for
     *                      the tokenizer (the whole prompt is tokenized after, for the next turn); above 1: never
     */
    public record Tokenizer(
            @NotNull @DefaultValue("") String url,
            @NotNull @DefaultValue("250ms") Duration timeout,
            @NotNull @DefaultValue("16MB") DataSize cacheMemory,
            @NotNull @DefaultValue("1MB") DataSize maxPromptSize,
            @DefaultValue("32") int maxConcurrent,
            @DefaultValue("0.8") double minEarlierTurnsShare) {

        @ConstructorBinding // the others are for tests
        public Tokenizer {
            if (maxConcurrent < 1) {
                throw new IllegalArgumentException("router.kv-events.tokenizer.max-concurrent must be at least 1, was "
                        + maxConcurrent);
            }
            if (!(minEarlierTurnsShare > 0)) {
                throw new IllegalArgumentException("router.kv-events.tokenizer.min-earlier-turns-share must be above 0"
                        + " (above 1 to always wait for the whole prompt's tokens), was " + minEarlierTurnsShare);
            }
        }

        /** Defaults but for the tokenizer's URL and timeout; for tests. */
        public Tokenizer(String url, Duration timeout, DataSize cacheMemory) {
            this(url, timeout, cacheMemory, DataSize.ofMegabytes(1), 32);
        }

        /** Defaults but for these; for tests. */
        public Tokenizer(String url, Duration timeout, DataSize cacheMemory, DataSize maxPromptSize,
                int maxConcurrent) {
            this(url, timeout, cacheMemory, maxPromptSize, maxConcurrent, 0.8);
        }
    }
}
