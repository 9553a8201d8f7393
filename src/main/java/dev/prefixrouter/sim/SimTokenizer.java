package dev.prefixrouter.sim;

/**
 * The simulator's tokenizer, in one place so that {@code /tokenize} and the token ids of the KV-cache events can
 * never disagree: a token is {@link SimRequest#CHARS_PER_TOKEN} characters of the prompt (a trailing partial piece
 * is a token too), and its id is a 31-bit non-negative hash of those characters.
 *
 * <p>Why a hash and not a vocabulary: a router keys its index on the token ids of each full block, so distinct
 * text must give distinct ids with high probability (a 32k vocabulary of hashed pieces would collide often and
 * merge unrelated prefixes); the same text must give the same ids on every engine and in every process.
 */
final class SimTokenizer {

    private SimTokenizer() {
    }

    /** Number of tokens of {@code text}: one per started {@link SimRequest#CHARS_PER_TOKEN} characters. */
    static int count(String text) {
        return (text.length() + SimRequest.CHARS_PER_TOKEN - 1) / SimRequest.CHARS_PER_TOKEN;
    }

    /** Every token id of {@code text}, in order. */
    static int[] tokenIds(String text) {
        return tokenIds(text, 0, count(text));
    }

    /** The ids of tokens {@code [from, to)} of {@code text}. */
    static int[] tokenIds(String text, int from, int to) {
        if (from < 0 || to < from || to > count(text)) {
            throw new IndexOutOfBoundsException("tokens [" + from + ", " + to + ") of a text of " + count(text));
        }
        int[] ids = new int[to - from];
        for (int token = from; token < to; token++) {
            int start = token * SimRequest.CHARS_PER_TOKEN;
            ids[token - from] = tokenId(text, start, Math.min(text.length(), start + SimRequest.CHARS_PER_TOKEN));
        }
        return ids;
    }

    /** FNV-1a over the piece's UTF-16 code units, then MurmurHash3's 32-bit finaliser, kept to 31 bits. */
    private static int tokenId(String text, int start, int end) {
        int h = 0x811c9dc5;
        for (int i = start; i < end; i++) {
            h = (h ^ text.charAt(i)) * 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h & 0x7fffffff;
    }
}
