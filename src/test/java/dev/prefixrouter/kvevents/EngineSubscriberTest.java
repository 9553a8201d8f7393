package dev.prefixrouter.kvevents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.ZContext;

/** One engine's stream over real loopback ZMQ sockets: order, gaps and replay, restarts, garbage, closing. */
@Timeout(20)
class EngineSubscriberTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final ZContext context = new ZContext(1);
    private final RecordingSink sink = new RecordingSink();
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final TestKvEventPublisher publisher = new TestKvEventPublisher("kv");
    private EngineSubscriber subscriber;

    /** A batch whose ts is its sequence number, holding one event. */
    static byte[] batch(long seq) {
        return KvEventDecoderTest.payload(out -> out.packArrayHeader(2).packDouble(seq).packArrayHeader(1)
                .packArrayHeader(3).packString("BlockRemoved").packArrayHeader(1).packLong(seq).packString("GPU"));
    }

    /** As the router subscribes, with its default heartbeat. */
    private void subscribe(String replayEndpoint, Duration replayTimeout) {
        subscribe(publisher.endpoint(), replayEndpoint, replayTimeout, Duration.ofSeconds(2));
    }

    private void subscribe(String endpoint, String replayEndpoint, Duration replayTimeout, Duration heartbeat) {
        subscriber = new EngineSubscriber("e", endpoint, replayEndpoint, "kv", replayTimeout, heartbeat, context,
                sink, new KvEventDecoder(), registry, null);
        subscriber.start();
        publisher.awaitSubscriber(WAIT);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (subscriber != null) {
            subscriber.close();
            assertThat(subscriber.awaitTermination(WAIT)).isTrue();
        }
        publisher.close();
        context.close();
    }

    private void awaitBatches(long... seqs) {
        List<String> expected = LongStream.of(seqs).mapToObj(seq -> "batch e " + seq).toList();
        await().atMost(WAIT).untilAsserted(() -> assertThat(sink.batchLines()).isEqualTo(expected));
    }

    private double count(String name, String tag, String value) {
        var search = registry.find(name).tag("engine", "e");
        var counter = (tag == null ? search : search.tag(tag, value)).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void batchesArriveInOrderAndTheEngineGoesLive() {
        subscribe(publisher.replayEndpoint(), Duration.ofSeconds(2));
        for (long seq = 0; seq < 5; seq++) {
            publisher.publish(seq, batch(seq));
        }

        awaitBatches(0, 1, 2, 3, 4);
        assertThat(sink.calls).startsWith("live e false", "batch e 0", "live e true").doesNotContain("forget e");
        assertThat(count("router.kv.events.received", null, null)).isEqualTo(5);
        assertThat(count("router.kv.events.applied", null, null)).isEqualTo(5);
        assertThat(registry.get("router.kv.events.live").tag("engine", "e").gauge().value()).isEqualTo(1);
        KvEvent.BlockRemoved event = (KvEvent.BlockRemoved) sink.batches.get(4).events().get(0);
        assertThat(event.blockHashes()).containsExactly(4L);
    }

    @Test
    void aSkippedSequenceIsReplayedAndEveryBatchSeenOnceInOrder() {
        subscribe(publisher.replayEndpoint(), Duration.ofSeconds(2));
        publisher.publish(0, batch(0));
        awaitBatches(0);
        publisher.lose(1, batch(1));
        publisher.lose(2, batch(2));
        publisher.publish(3, batch(3));
        publisher.publish(4, batch(4));

        awaitBatches(0, 1, 2, 3, 4);
        assertThat(sink.calls).doesNotContain("forget e")
                .containsSubsequence("batch e 0", "live e false", "batch e 1", "batch e 2", "batch e 3",
                        "live e true", "batch e 4");
        assertThat(count("router.kv.events.replays", "outcome", "ok")).isEqualTo(1);
        assertThat(count("router.kv.events.applied", null, null)).isEqualTo(5);
    }

    @Test
    void repliesWithATopicFrameAreAcceptedToo() {
        publisher.fourFrameReplies(true);
        subscribe(publisher.replayEndpoint(), Duration.ofSeconds(2));
        publisher.publish(7, batch(7));
        awaitBatches(7);
        publisher.lose(8, batch(8));
        publisher.publish(9, batch(9));

        awaitBatches(7, 8, 9);
    }

    @Test
    void withoutReplayAGapForgetsTheEngineAndTheStreamGoesOn() {
        subscribe(null, Duration.ofSeconds(2));
        publisher.publish(0, batch(0));
        awaitBatches(0);
        publisher.lose(1, batch(1));
        publisher.publish(2, batch(2));
        publisher.publish(3, batch(3));

        awaitBatches(0, 2, 3);
        assertThat(sink.calls).containsSubsequence("batch e 0", "live e false", "forget e", "batch e 2",
                "live e true", "batch e 3");
        assertThat(count("router.kv.events.dropped", "reason", "gap_unrecovered")).isEqualTo(1);
        assertThat(count("router.kv.events.forgotten", "reason", "gap")).isEqualTo(1);
    }

    @Test
    void aReplayThatTimesOutForgetsTheEngine() {
        // Nothing listens on the replay endpoint: the request waits for a peer until the timeout.
        subscribe("tcp://127.0.0.1:1", Duration.ofMillis(300));
        publisher.publish(0, batch(0));
        awaitBatches(0);
        publisher.publish(5, batch(5));
        publisher.publish(6, batch(6));

        awaitBatches(0, 5, 6);
        assertThat(sink.calls).containsSubsequence("batch e 0", "live e false", "forget e", "batch e 5",
                "live e true");
        assertThat(count("router.kv.events.replays", "outcome", "failed")).isEqualTo(1);
        assertThat(count("router.kv.events.dropped", "reason", "gap_unrecovered")).isEqualTo(4);
    }

    @Test
    void aReplayBufferThatNoLongerReachesBackForgetsTheEngine() {
        subscribe(publisher.replayEndpoint(), Duration.ofSeconds(2));
        publisher.publish(0, batch(0));
        awaitBatches(0);
        publisher.lose(1, batch(1));
        publisher.lose(2, batch(2));
        publisher.bufferStartsAt(2);
        publisher.publish(3, batch(3));

        awaitBatches(0, 3);
        assertThat(sink.calls).containsSubsequence("batch e 0", "live e false", "forget e", "batch e 3",
                "live e true");
        assertThat(count("router.kv.events.replays", "outcome", "failed")).isEqualTo(1);
    }

    @Test
    void aConnectionThatGoesSilentWithoutClosingIsDroppedAndDialledAgain() throws Exception {
        try (SilenceableTcpRelay relay = new SilenceableTcpRelay(publisher.port())) {
            subscribe(relay.endpoint(), publisher.replayEndpoint(), Duration.ofSeconds(2), Duration.ofMillis(200));
            publisher.publish(0, batch(0));
            publisher.publish(1, batch(1));
            awaitBatches(0, 1);

            // As a node lost or a partition looks: the connection stays open, nothing crosses it any more.
            relay.silenceOpenConnections();
            publisher.publish(2, batch(2));
            publisher.awaitSubscriber(WAIT); // the subscriber noticed the silence and dialled again
            publisher.publish(3, batch(3));

            awaitBatches(0, 1, 2, 3); // 2 from the replay the gap asks for
            assertThat(relay.connections()).isEqualTo(2);
        }
    }

    @Test
    void aSequenceThatGoesBackIsARestart() {
        subscribe(publisher.replayEndpoint(), Duration.ofSeconds(2));
        publisher.publish(5, batch(5));
        publisher.publish(6, batch(6));
        awaitBatches(5, 6);
        publisher.publish(0, batch(0));
        publisher.publish(1, batch(1));

        awaitBatches(5, 6, 0, 1);
        assertThat(sink.calls).containsSubsequence("batch e 6", "forget e", "batch e 0", "batch e 1");
        assertThat(count("router.kv.events.forgotten", "reason", "restart")).isEqualTo(1);
        // Joining at 5, the subscriber asked for 0..4 to catch up; the buffer did not reach back that far.
        assertThat(count("router.kv.events.replays", "outcome", "ok")).isZero();
        assertThat(count("router.kv.events.replays", "outcome", "failed")).isEqualTo(1);
    }

    @Test
    void aStreamJoinedPartWayCatchesUpFromTheReplayBuffer() {
        subscribe(publisher.replayEndpoint(), Duration.ofSeconds(2));
        publisher.lose(0, batch(0)); // what the engine published before the router subscribed
        publisher.lose(1, batch(1));
        publisher.publish(2, batch(2));

        awaitBatches(0, 1, 2);
        assertThat(sink.calls).doesNotContain("forget e");
        assertThat(count("router.kv.events.replays", "outcome", "ok")).isEqualTo(1);
    }

    @Test
    void garbageIsCountedAndSkippedAndLaterBatchesArrive() {
        subscribe(publisher.replayEndpoint(), Duration.ofSeconds(2));
        publisher.publish(0, batch(0));
        awaitBatches(0);
        publisher.send("kv".getBytes(), TestKvEventPublisher.seq(1), new byte[] {(byte) 0xc1, 1, 2}); // bad payload
        publisher.send("kv".getBytes(), new byte[] {1, 2, 3, 4}, batch(2)); // 4-byte sequence frame
        publisher.send("kv".getBytes(), batch(2)); // two frames
        publisher.send("kv".getBytes(), TestKvEventPublisher.seq(2), batch(2), new byte[1]); // four frames
        publisher.publish(2, batch(2));
        publisher.publish(3, batch(3));

        awaitBatches(0, 2, 3);
        assertThat(sink.calls).doesNotContain("forget e");
        assertThat(count("router.kv.events.dropped", "reason", "malformed")).isEqualTo(4);
        assertThat(count("router.kv.events.replays", "outcome", "ok")).isZero(); // a bad payload is no gap
    }

    @Test
    void closingStopsTheThreadForgetsTheEngineAndRemovesItsMeters() throws InterruptedException {
        subscribe(publisher.replayEndpoint(), Duration.ofSeconds(2));
        publisher.publish(0, batch(0));
        awaitBatches(0);
        assertThat(threadAlive("kv-events-e")).isTrue();

        subscriber.close();

        assertThat(subscriber.awaitTermination(Duration.ofSeconds(2))).isTrue();
        await().atMost(WAIT).until(() -> !threadAlive("kv-events-e"));
        assertThat(sink.calls).endsWith("live e false", "forget e");
        assertThat(registry.find("router.kv.events.received").meters()).isEmpty();
        assertThat(registry.find("router.kv.events.live").meters()).isEmpty();
    }

    @Test
    void anEndpointThatDoesNotResolveIsRetriedUntilClosed() throws InterruptedException {
        subscriber = new EngineSubscriber("e", "tcp://no-such-host.invalid:5557", null, "", Duration.ofSeconds(1),
                Duration.ZERO, context, sink, new KvEventDecoder(), registry, null);
        subscriber.start();

        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> threadAlive("kv-events-e"));
        subscriber.close();

        assertThat(subscriber.awaitTermination(Duration.ofSeconds(1))).isTrue();
        assertThat(sink.calls).containsExactly("live e false", "live e false", "forget e");
    }

    @Test
    void aClearedCacheIsDeliveredAndCounted() {
        subscribe(null, Duration.ofSeconds(1));
        publisher.publish(0, KvEventDecoderTest.payload(out -> out.packArrayHeader(2).packDouble(0)
                .packArrayHeader(1).packArrayHeader(1).packString("AllBlocksCleared")));

        awaitBatches(0);
        assertThat(sink.batches.get(0).events()).containsExactly(new KvEvent.AllBlocksCleared());
        assertThat(count("router.kv.events.forgotten", "reason", "cleared")).isEqualTo(1);
    }

    @Test
    void aSinkThatFailsForgetsTheEngineAndTheStreamGoesOn() {
        RecordingSink failingOnOne = new RecordingSink() {
            @Override
            public void batch(String engineId, EventBatch batch) {
                if (batch.ts() == 1) {
                    throw new IllegalStateException("index full of surprises");
                }
                super.batch(engineId, batch);
            }
        };
        subscriber = new EngineSubscriber("e", publisher.endpoint(), null, "kv", Duration.ofSeconds(1), Duration.ZERO,
                context, failingOnOne, new KvEventDecoder(), registry, null);
        subscriber.start();
        publisher.awaitSubscriber(WAIT);
        for (long seq = 0; seq < 4; seq++) {
            publisher.publish(seq, batch(seq));
        }

        await().atMost(WAIT).untilAsserted(() -> assertThat(failingOnOne.batchLines())
                .containsExactly("batch e 0", "batch e 2", "batch e 3"));
        assertThat(failingOnOne.calls).containsSubsequence("batch e 0", "live e false", "forget e", "batch e 2",
                "live e true", "batch e 3");
        assertThat(count("router.kv.events.forgotten", "reason", "sink_failed")).isEqualTo(1);
    }

    static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(thread -> thread.getName().equals(name) && thread.isAlive());
    }
}
