package dev.prefixrouter.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The publisher's own guarantees: a full queue drops batches visibly, and a busy port is reported by name. */
class KvEventPublisherTest {

    private static final List<SimKvEvent> CLEARED = List.of(new SimKvEvent.Cleared());

    @Test
    void aFullQueueDropsTheBatchAndSkipsItsSequenceNumberSoSubscribersSeeTheGap() {
        KvEventsConfig config = KvEventsConfig.loopback().withMaxQueued(1);
        try (KvEventPublisher publisher = new KvEventPublisher(config); KvEventProbe probe = new KvEventProbe(config)) {
            long seq = probe.join(() -> publisher.offer(0, CLEARED)).seq();
            synchronized (publisher.replayBuffer()) {
                publisher.offer(1, CLEARED); // taken by the publisher thread, which then waits for the buffer
                awaitBlocked(publisher.publisherThread());
                publisher.offer(2, CLEARED); // queued: the queue is now full
                publisher.offer(3, CLEARED); // dropped
                publisher.offer(4, CLEARED); // dropped
            }
            assertThat(probe.next().seq()).isEqualTo(seq + 1);
            assertThat(probe.next().seq()).isEqualTo(seq + 2);
            publisher.offer(5, CLEARED);
            KvEventProbe.Message afterGap = probe.next();
            assertThat(afterGap.seq()).as("two sequence numbers skipped").isEqualTo(seq + 5);
            assertThat(afterGap.batch().ts()).isEqualTo(5.0);
            assertThat(publisher.droppedBatches()).isEqualTo(2);
            assertThat(probe.replay(seq + 1)).extracting(KvEventProbe.Message::seq)
                    .containsExactly(seq + 1, seq + 2, seq + 5);
        }
    }

    @Test
    void aPortInUseFailsWithTheEndpointInTheMessage() {
        KvEventsConfig config = KvEventsConfig.loopback();
        try (KvEventPublisher first = new KvEventPublisher(config)) {
            assertThatThrownBy(() -> new KvEventPublisher(config))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining(config.endpoint());
        }
    }

    @Test
    void configurationNamesWhatIsWrong() {
        assertThatThrownBy(() -> KvEventsConfig.of("127.0.0.1", 0, 0)).hasMessageContaining("kv-events port");
        assertThatThrownBy(() -> KvEventsConfig.of("127.0.0.1", 5557, 5557)).hasMessageContaining("replay port");
        assertThatThrownBy(() -> KvEventsEncoding.parse("json")).hasMessageContaining("array, map or mixed");
        assertThat(KvEventsEncoding.parse(" Mixed ")).isEqualTo(KvEventsEncoding.MIXED);
        assertThat(KvEventsConfig.of("127.0.0.1", 5557, 0).replayEndpoint()).isNull();
    }

    private static void awaitBlocked(Thread thread) {
        Awaitility.await("publisher thread blocked on the replay buffer").atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(1)).until(() -> thread.getState() == Thread.State.BLOCKED);
    }
}
