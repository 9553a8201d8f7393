package dev.prefixrouter.trie;

import java.util.SplittableRandom;

/** Prompt text for tests: reproducible, and unique unless built from the same seed. */
final class Prompts {

    private Prompts() {
    }

    /** {@code length} pseudo-random letters from {@code seed}. */
    static String random(long seed, int length) {
        SplittableRandom random = new SplittableRandom(seed);
        char[] text = new char[length];
        for (int i = 0; i < length; i++) {
            text[i] = (char) ('a' + random.nextInt(26));
        }
        return new String(text);
    }
}
