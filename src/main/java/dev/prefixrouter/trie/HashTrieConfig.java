package dev.prefixrouter.trie;

import static dev.prefixrouter.config.PropertyChecks.requirePositive;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The prefix index: {@code router.hashtrie.*}. Also settable with vLLM production-stack's variables
 * ({@link ProductionStackEnvironment}).
 *
 * @param chunkSize             characters per indexed chunk; only full chunks count as matched
 * @param maxMemory             hard budget for the index's accounted bytes; an insert that would cross it evicts
 *                              first. Unset: 256MB, or a quarter of the maximum heap if that is less, so that the
 *                              index, the request-memory budget (another quarter) and the rest fit the heap
 * @param evictionThreshold     the memory watcher starts evicting above this fraction of {@code max-memory}
 * @param targetUtilization     ... and evicts least-recently-used leaves down to this fraction, in small batches;
 *                              0.8 rather than production-stack's 0.5 because eviction here is LRU leaves first:
 *                              the cold tails go and the hot shared prefixes stay, so there is no need to forget
 *                              half of what routing relies on
 * @param memoryCheckInterval   how often the memory watcher runs
 * @param endpointCacheCapacity prompt characters an engine's KV cache is assumed to hold when its metrics do not
 *                              say ({@code vllm:cache_config_info}); past it, the engine stops being credited with
 *                              its coldest prefixes
 * @param evictionBatch         nodes evicted per lock hold by the watcher (each batch holds the index well under
 *                              a millisecond)
 */
@Validated
@ConfigurationProperties("router.hashtrie")
public record HashTrieConfig(
        @DefaultValue("128") int chunkSize,
        DataSize maxMemory,
        @DefaultValue("0.9") double evictionThreshold,
        @DefaultValue("0.8") double targetUtilization,
        @NotNull @DefaultValue("1s") Duration memoryCheckInterval,
        @DefaultValue("2097152") long endpointCacheCapacity,
        @DefaultValue("2000") int evictionBatch) {

    /** The default budget when the heap is large enough: a quarter of it otherwise. */
    public static final DataSize DEFAULT_MAX_MEMORY = DataSize.ofMegabytes(256);

    public HashTrieConfig {
        if (maxMemory == null) {
            maxMemory = DataSize.ofBytes(Math.min(DEFAULT_MAX_MEMORY.toBytes(), Runtime.getRuntime().maxMemory() / 4));
        }
        if (chunkSize < 1) {
            throw new IllegalArgumentException("router.hashtrie.chunk-size must be at least 1, was " + chunkSize);
        }
        if (!(evictionThreshold > 0 && evictionThreshold <= 1)) {
            throw new IllegalArgumentException("router.hashtrie.eviction-threshold must be in (0, 1], was "
                    + evictionThreshold);
        }
        if (!(targetUtilization >= 0 && targetUtilization < evictionThreshold)) {
            throw new IllegalArgumentException("router.hashtrie.target-utilization must be at least 0 and below"
                    + " router.hashtrie.eviction-threshold (" + evictionThreshold + "), was " + targetUtilization);
        }
        long smallest = HashTrie.NODE_BYTES + HashTrie.ATTRIBUTION_BYTES;
        if (maxMemory != null && maxMemory.toBytes() < smallest) {
            throw new IllegalArgumentException("router.hashtrie.max-memory must hold at least one node ("
                    + smallest + " bytes), was " + maxMemory.toBytes() + " bytes");
        }
        requirePositive(memoryCheckInterval, "router.hashtrie.memory-check-interval");
        if (endpointCacheCapacity < chunkSize) {
            throw new IllegalArgumentException("router.hashtrie.endpoint-cache-capacity must hold at least one chunk ("
                    + chunkSize + " characters), was " + endpointCacheCapacity);
        }
        if (evictionBatch < 1) {
            throw new IllegalArgumentException("router.hashtrie.eviction-batch must be at least 1, was "
                    + evictionBatch);
        }
    }
}
