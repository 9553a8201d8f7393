package dev.prefixrouter.trie;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;

/**
 * Turns prompt text into chained chunk hashes, the way vLLM chains KV block hashes: chunk {@code d} is hashed with
 * seeded XXH3-64 and combined with the hash of chunks {@code 0..d-1}, so one 64-bit value names a whole prefix.
 * The combine is XXH3 over the 16 bytes (parent, chunk) — a full-strength mix, not an xor or a multiply.
 *
 * <p>Stateless after construction and safe to share between threads. Each call allocates the result array and one
 * chunk-sized buffer that each chunk's characters are read into; nothing per chunk.
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
        ChunkView view = new ChunkView(chunkSize);
        PromptText.Reader reader = prompt.reader();
        long chained = rootHash;
        for (int d = 0; d < chunks; d++) {
            view.fill(reader);
            chained = hasher.hashLongLongToLong(chained, hasher.hashCharsToLong(view));
            hashes[d] = chained;
        }
        return hashes;
    }

    /** One chunk's characters, refilled from the prompt for each chunk, so nothing is allocated per chunk. */
    private static final class ChunkView implements CharSequence {
        private final char[] chars;

        ChunkView(int length) {
            this.chars = new char[length];
        }

        void fill(PromptText.Reader reader) {
            int filled = 0;
            while (filled < chars.length) {
                int read = reader.read(chars, filled, chars.length - filled);
                if (read == 0) {
                    throw new IllegalStateException("the prompt ended before its stated length");
                }
                filled += read;
            }
        }

        @Override
        public int length() {
            return chars.length;
        }

        @Override
        public char charAt(int index) {
            return chars[index];
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new String(chars, start, end - start);
        }

        @Override
        public String toString() {
            return new String(chars);
        }
    }
}
