package dev.prefixrouter.sim;

/**
 * The blocks no request holds, in eviction order (vLLM's free block queue): allocation takes the head, a block
 * whose last holder lets go joins the tail, and a cached block that a new request hits leaves from the middle.
 * At start every block is queued in id order, so blocks that were never used are taken before any block that
 * holds cached KV; after that the head is the least recently used.
 *
 * <p>A doubly linked list threaded through two {@code int} arrays: every operation is O(1) and allocation-free.
 * Not thread-safe: owned by the engine's step thread.
 */
final class FreeBlockQueue {

    private static final int NONE = -1;

    private final int[] prev;
    private final int[] next;
    private final boolean[] queued;
    private int head = NONE;
    private int tail = NONE;
    private int size;

    FreeBlockQueue(int numBlocks) {
        prev = new int[numBlocks];
        next = new int[numBlocks];
        queued = new boolean[numBlocks];
        for (int block = 0; block < numBlocks; block++) {
            pushBack(block);
        }
    }

    int size() {
        return size;
    }

    boolean contains(int block) {
        return queued[block];
    }

    /** Removes and returns the head: the block to allocate next. */
    int popFront() {
        if (head == NONE) {
            throw new IllegalStateException("no free block");
        }
        int block = head;
        remove(block);
        return block;
    }

    void pushBack(int block) {
        if (queued[block]) {
            throw new IllegalStateException("block " + block + " is already free");
        }
        prev[block] = tail;
        next[block] = NONE;
        if (tail == NONE) {
            head = block;
        } else {
            next[tail] = block;
        }
        tail = block;
        queued[block] = true;
        size++;
    }

    void remove(int block) {
        if (!queued[block]) {
            throw new IllegalStateException("block " + block + " is not free");
        }
        int before = prev[block];
        int after = next[block];
        if (before == NONE) {
            head = after;
        } else {
            next[before] = after;
        }
        if (after == NONE) {
            tail = before;
        } else {
            prev[after] = before;
        }
        queued[block] = false;
        size--;
    }

    /** The queued blocks from head to tail; for tests and invariant checks. */
    int[] toArray() {
        int[] blocks = new int[size];
        int i = 0;
        for (int block = head; block != NONE; block = next[block]) {
            blocks[i++] = block;
        }
        return blocks;
    }
}
