package dev.prefixrouter.kvevents;

import com.dynatrace.hash4j.hashing.HashStream64;
import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import java.util.Objects;

/**
 * The router's own key of a full KV block: XXH3-64 over the parent block's key (8 bytes) followed by the block's
 * token ids (4 bytes each, little-endian), so one 64-bit value names a whole token prefix, as vLLM's chained block
 * hashes do. Engines' hashes depend on their process seed and hashing scheme; the router never reproduces them and
 * instead keys both sides, the engines' {@code BlockStored} token ids and the request's tokens, with this one.
 *
 * <p>The first block's parent is {@link #ROOT}, or {@link #root(long)} of a salt (a LoRA adapter id) so that an
 * adapter's blocks never match the base model's or another adapter's. A partial trailing block is never keyed: an
 * engine caches only full blocks.
 *
 * <p>Thread-safe. Each thread reuses one hash stream (reset per block), so keying allocates nothing per block;
 * {@link #keys} allocates only its result.
 */
public final class BlockKeys {

    private static final Hasher64 HASHER = Hashing.xxh3_64(0x7072_6566_6978_4b56L); // "prefixKV"
    /** The parent of a base-model prompt's first block. */
    public static final long ROOT = HASHER.hashLongToLong(0x526f_6f74L);
    private static final ThreadLocal<HashStream64> STREAMS = ThreadLocal.withInitial(HASHER::hashStream);

    private BlockKeys() {
    }

    /** The parent of the first block of a prompt under {@code salt} (e.g. a LoRA adapter id); never {@link #ROOT}. */
    public static long root(long salt) {
        long root = HASHER.hashLongLongToLong(ROOT, salt);
        return root == ROOT ? ~root : root;
    }

    /**
     * The parent of the first block for a LoRA adapter by name ({@link #ROOT} for {@code null}): newer vLLM keys
     * blocks by {@code lora_name} and deprecates {@code lora_id}, and a request names its adapter, not its id.
     */
    public static long root(String loraName) {
        return loraName == null ? ROOT : root(HASHER.hashCharsToLong(loraName));
    }

    /** The parent of the first block for vLLM's {@code lora_id}: {@link #ROOT} for {@code null} (base model). */
    public static long root(Integer loraId) {
        return loraId == null ? ROOT : root(loraId.longValue());
    }

    /** The key of the block {@code tokens[from, from + blockSize)} whose parent block's key is {@code parentKey}. */
    public static long key(long parentKey, int[] tokens, int from, int blockSize) {
        Objects.checkFromIndexSize(from, blockSize, tokens.length);
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be at least 1, was " + blockSize);
        }
        return STREAMS.get().reset().putLong(parentKey).putInts(tokens, from, blockSize).getAsLong();
    }

    /** The keys of every full block of a base-model prompt, in order. */
    public static long[] keys(int[] tokens, int blockSize) {
        return keys(tokens, blockSize, ROOT);
    }

    /** The keys of every full block of a prompt whose first block's parent is {@code root}, in order. */
    public static long[] keys(int[] tokens, int blockSize, long root) {
        Objects.requireNonNull(tokens, "tokens");
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be at least 1, was " + blockSize);
        }
        long[] keys = new long[tokens.length / blockSize];
        HashStream64 stream = STREAMS.get();
        long parent = root;
        for (int i = 0; i < keys.length; i++) {
            parent = stream.reset().putLong(parent).putInts(tokens, i * blockSize, blockSize).getAsLong();
            keys[i] = parent;
        }
        return keys;
    }
}
