package dev.prefixrouter.kvevents;

import java.util.List;

/**
 * One ZMQ message's payload: vLLM's {@code KVEventBatch}.
 *
 * @param ts               the engine's wall-clock time of the batch, in seconds
 * @param events           the events, in the order the engine applied them
 * @param dataParallelRank the publishing data-parallel rank, or {@code null}
 */
public record EventBatch(double ts, List<KvEvent> events, Integer dataParallelRank) {
}
