package dev.prefixrouter.trie;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;

/**
 * Turns prompt text into chained chunk hashes, the way vLLM chains KV block hashes: chunk {@code d} is hashed with
 * seeded XXH3-64 and combined with the hash of chunks {@code 0..d-1}, so one 64-bit value names a whole prefix.
 * The combine is XXH3 over the 16 bytes (parent, chunk) — a full-strength mix, not an xor or a multiply.
 *
 * <p>Stateless after construction and safe to share between threads. Each call allocates the result array and one
 * small view object; nothing per chunk.
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

    long[] chainedHashes(CharSequence prompt) {
        int chunks = prompt.length() / chunkSize;
        long[] hashes = new long[chunks];
        ChunkView view = new ChunkView(prompt, chunkSize);
        long chained = rootHash;
        for (int d = 0; d < chunks; d++) {
            view.offset = d * chunkSize;
            chained = hasher.hashLongLongToLong(chained, hasher.hashCharsToLong(view));
            hashes[d] = chained;
        }
        return hashes;
    }

    /** A movable window over the prompt, so each chunk is hashed in place without a substring. */
    private static final class ChunkView implements CharSequence {
        private final CharSequence text;
        private final int length;
        int offset;

        ChunkView(CharSequence text, int length) {
            this.text = text;
            this.length = length;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public char charAt(int index) {
            return text.charAt(offset + index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.subSequence(offset + start, offset + end);
        }

        @Override
        public String toString() {
            return text.subSequence(offset, offset + length).toString();
        }
    }
}
