package dev.prefixrouter.trie;

/**
 * Heap bytes of primitive arrays on a 64-bit HotSpot with compressed class pointers: a 16-byte header, the
 * elements, padded to 8 bytes. The JOL test checks these figures against the real layout.
 */
final class ArrayBytes {

    static final int HEADER = 16;

    private ArrayBytes() {
    }

    static long of(long[] array) {
        return align(HEADER + 8L * array.length);
    }

    static long of(int[] array) {
        return align(HEADER + 4L * array.length);
    }

    static long of(byte[] array) {
        return align(HEADER + (long) array.length);
    }

    private static long align(long bytes) {
        return (bytes + 7) & ~7L;
    }
}
