package dev.prefixrouter.kvevents;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recent prompts' token ids, by a 64-bit hash of the model and the prompt as sent to {@code /tokenize}, least
 * recently used out first past a byte budget. Each entry is accounted at {@link #bytesOf} (the ids plus the map's
 * node, key and array header), so {@link #accountedBytes()} never exceeds the budget. A retried or repeated request
 * (the same conversation sent again, a client's retry) skips the tokenizer's round trip, and a conversation's next
 * request finds its earlier turns' tokens here.
 *
 * <p>Concurrency: short critical sections under {@code this}; called from event loops.
 */
final class TokenCache {

    /** The map's node (48), the boxed key (16) and the int[]'s header (16). */
    static final int ENTRY_OVERHEAD = 80;

    private final long maxBytes;
    private final LinkedHashMap<Long, int[]> byKey = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    TokenCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    static long bytesOf(int[] tokens) {
        return ENTRY_OVERHEAD + 4L * tokens.length;
    }

    /** The tokens cached for {@code key}, or {@code null}. */
    synchronized int[] get(long key) {
        return byKey.get(key);
    }

    /** Caches {@code tokens} unless they alone exceed the budget; evicts the least recently used to make room. */
    synchronized void put(long key, int[] tokens) {
        long size = bytesOf(tokens);
        if (size > maxBytes) {
            return;
        }
        int[] previous = byKey.put(key, tokens);
        if (previous != null) {
            bytes -= bytesOf(previous);
        }
        bytes += size;
        var eldest = byKey.entrySet().iterator();
        while (bytes > maxBytes) {
            Map.Entry<Long, int[]> out = eldest.next();
            bytes -= bytesOf(out.getValue());
            eldest.remove();
        }
    }

    synchronized long accountedBytes() {
        return bytes;
    }

    long maxBytes() {
        return maxBytes;
    }

    synchronized int size() {
        return byKey.size();
    }
}
