package dev.prefixrouter.sim;

import java.util.Locale;

/**
 * How the simulator encodes a batch, so that a subscriber's decoder can be tested against each form vLLM versions
 * (and other encoders) use. msgspec structs are arrays when {@code array_like=True}, maps otherwise; a tagged
 * struct carries its type name first (array) or under {@code "type"} (map).
 */
public enum KvEventsEncoding {
    /** Batch and events as arrays: {@code [ts, [["BlockStored", ...], ...]]}, as older vLLM versions send. */
    ARRAY,
    /** Batch and events as maps: {@code {"ts":..,"events":[{"type":"BlockStored",..}]}}. */
    MAP,
    /** The batch as an array, the events as tagged maps: what current vLLM sends ({@code KVCacheEvent} is not
     * {@code array_like} there, {@code EventBatch} is). */
    MIXED;

    /** Parses {@code array}, {@code map} or {@code mixed}, as the command line spells them. */
    public static KvEventsEncoding parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kv-events encoding must be array, map or mixed, was '" + name + "'",
                    e);
        }
    }

    boolean batchAsArray() {
        return this != MAP;
    }

    boolean eventsAsArrays() {
        return this == ARRAY;
    }
}
