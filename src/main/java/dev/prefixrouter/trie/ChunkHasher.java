package dev.prefixrouter.trie;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;

/**
 * Turns prompt text into chained chunk hashes, the way vLLM chains KV block hashes: chunk {@code d} (its
 * {@code chunkSize} characters, as UTF-8 bytes) is hashed with seeded XXH3-64 and combined with the hash of chunks
 * {@code 0..d-1}, so one 64-bit value names a whole prefix. The combine is XXH3 over the 16 bytes (parent, chunk),
 * a full-strength mix, not an xor or a multiply.
 *
 * <p>The bytes of a chunk are the UTF-8 encoding of its characters, where a surrogate that has no partner inside
 * the chunk (an unpaired one, or half of a pair that a chunk boundary splits) is encoded on its own in three bytes
 * (WTF-8), so every character sequence has exactly one encoding. When the prompt's reader has the chunk's bytes in
 * place ({@link PromptText.Reader#nextUtf8}: a chunk inside one unescaped string of a request body, ASCII or not,
 * that splits no surrogate pair) they are hashed there, without a copy; otherwise the characters are read into a
 * buffer and encoded into another, both reused for every chunk.
 *
 * <p>Stateless after construction and safe to share between threads. Each call allocates the result array and
 * its two buffers; nothing per chunk.
 */
final class ChunkHasher {

    private final Hasher64 hasher;
    private final int chunkSize;
    private final long rootHash;

    ChunkHasher(int chunkSize, long seed) {
        this.hasher = Hashing.xxh3_64(seed);
        this.chunkSize = chunkSize;
        // Keys made with different chunk sizes never collide by construction.
        this.rootHash = hasher.hashLongToLong(chunkSize);
    }

    long[] chainedHashes(PromptText prompt) {
        int chunks = prompt.length() / chunkSize;
        long[] hashes = new long[chunks];
        PromptText.Reader reader = prompt.reader();
        PromptText.Utf8Span span = new PromptText.Utf8Span();
        char[] chars = null;
        byte[] bytes = null;
        long chained = rootHash;
        for (int d = 0; d < chunks; d++) {
            long chunk;
            if (reader.nextUtf8(chunkSize, span)) {
                chunk = hasher.hashBytesToLong(span.bytes(), span.offset(), span.length());
            } else {
                if (chars == null) {
                    chars = new char[chunkSize];
                    bytes = new byte[3 * chunkSize];
                }
                fill(reader, chars);
                chunk = hasher.hashBytesToLong(bytes, 0, encode(chars, bytes));
            }
            chained = hasher.hashLongLongToLong(chained, chunk);
            hashes[d] = chained;
        }
        return hashes;
    }

    private static void fill(PromptText.Reader reader, char[] chars) {
        int filled = 0;
        while (filled < chars.length) {
            int read = reader.read(chars, filled, chars.length - filled);
            if (read == 0) {
                throw new IllegalStateException("the prompt ended before its stated length");
            }
            filled += read;
        }
    }

    /** Writes the chunk's UTF-8 (WTF-8 for surrogates without a partner in it) into {@code out}; returns its length. */
    static int encode(char[] chars, byte[] out) {
        int n = 0;
        for (int i = 0; i < chars.length; i++) {
            char c = chars[i];
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xC0 | (c >> 6));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < chars.length
                    && Character.isLowSurrogate(chars[i + 1])) {
                int code = Character.toCodePoint(c, chars[++i]);
                out[n++] = (byte) (0xF0 | (code >> 18));
                out[n++] = (byte) (0x80 | ((code >> 12) & 0x3F));
                out[n++] = (byte) (0x80 | ((code >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (code & 0x3F));
            } else {
                out[n++] = (byte) (0xE0 | (c >> 12));
                out[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return n;
    }
}
