package dev.prefixrouter.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FreeBlockQueueTest {

    @Test
    void startsWithEveryBlockInIdOrder() {
        FreeBlockQueue queue = new FreeBlockQueue(4);

        assertThat(queue.toArray()).containsExactly(0, 1, 2, 3);
        assertThat(queue.popFront()).isZero();
        assertThat(queue.size()).isEqualTo(3);
    }

    @Test
    void freedBlocksJoinTheTailAndLeaveFromAnywhere() {
        FreeBlockQueue queue = new FreeBlockQueue(4);
        queue.popFront();
        queue.popFront();
        queue.pushBack(1);
        queue.pushBack(0);
        queue.remove(3);

        assertThat(queue.toArray()).containsExactly(2, 1, 0);
        queue.remove(2);
        queue.remove(0);
        assertThat(queue.toArray()).containsExactly(1);
        assertThat(queue.contains(0)).isFalse();
    }

    @Test
    void refusesDoubleFreeAndEmptyPop() {
        FreeBlockQueue queue = new FreeBlockQueue(1);

        assertThatThrownBy(() -> queue.pushBack(0)).isInstanceOf(IllegalStateException.class);
        queue.popFront();
        assertThatThrownBy(queue::popFront).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> queue.remove(0)).isInstanceOf(IllegalStateException.class);
    }
}
