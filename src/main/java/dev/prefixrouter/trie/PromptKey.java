package dev.prefixrouter.trie;

import java.util.Objects;

/**
 * The chained chunk hashes of one prompt, made by {@link HashTrie#key(CharSequence)} outside the trie's lock.
 * {@code hash(d)} identifies the whole prefix of {@code d + 1} full chunks; a trailing partial chunk has no hash.
 * A key belongs to the trie that made it (the hashes depend on that trie's seed and chunk size).
 */
public final class PromptKey {

    private final Object owner;
    private final long[] hashes;
    private final int promptLength;
    private final int chunkSize;

    PromptKey(Object owner, long[] hashes, int promptLength, int chunkSize) {
        this.owner = owner;
        this.hashes = hashes;
        this.promptLength = promptLength;
        this.chunkSize = chunkSize;
    }

    /** Number of full chunks, i.e. the deepest path this prompt can match or record. */
    public int chunks() {
        return hashes.length;
    }

    /** The chained hash of the prefix made of chunks {@code 0..depth}. */
    public long hash(int depth) {
        Objects.checkIndex(depth, hashes.length);
        return hashes[depth];
    }

    /** Length of the prompt in characters, including a trailing partial chunk. */
    public int promptLength() {
        return promptLength;
    }

    /** Characters a full match would cover: {@code chunks() * chunkSize}. */
    public int matchableChars() {
        return hashes.length * chunkSize;
    }

    long[] hashes() {
        return hashes;
    }

    boolean isFrom(Object trie) {
        return owner == trie;
    }
}
