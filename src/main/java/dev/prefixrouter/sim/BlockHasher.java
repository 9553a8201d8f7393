package dev.prefixrouter.sim;

/**
 * Chained hashes of a prompt's full KV blocks, as vLLM keys its prefix cache: block {@code i}'s hash covers the
 * block's own characters and block {@code i-1}'s hash, so equal hashes mean equal whole prefixes, and the same
 * text at a different position (after a different prefix) does not hit.
 *
 * <p>A block is {@code blockSize} tokens of {@link SimRequest#CHARS_PER_TOKEN} characters each; only blocks
 * whose characters are all present are hashed (a partial tail block is never shared, as in vLLM). The hash is
 * FNV-1a over the UTF-16 code units seeded with the parent's hash, then a 64-bit finaliser (MurmurHash3's
 * fmix64) so that nearby inputs spread over all bits. A simulator does not need collision resistance against
 * crafted prompts.
 */
final class BlockHasher {

    private static final long ROOT = 0xcbf29ce484222325L; // FNV-1a offset basis: the parent of block 0
    private static final long FNV_PRIME = 0x100000001b3L;

    private BlockHasher() {
    }

    /** Hashes of the leading full blocks of {@code prompt}, in order. */
    static long[] fullBlockHashes(String prompt, int blockSize) {
        int charsPerBlock = blockSize * SimRequest.CHARS_PER_TOKEN;
        long[] hashes = new long[prompt.length() / charsPerBlock];
        long parent = ROOT;
        for (int block = 0; block < hashes.length; block++) {
            long h = parent;
            int end = (block + 1) * charsPerBlock;
            for (int i = block * charsPerBlock; i < end; i++) {
                h = (h ^ prompt.charAt(i)) * FNV_PRIME;
            }
            parent = fmix64(h);
            hashes[block] = parent;
        }
        return hashes;
    }

    private static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
