package dev.prefixrouter.kvevents;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A stand-in for a vLLM engine's event publisher on loopback: an XPUB socket (a PUB that also reports
 * subscriptions, so tests wait for the subscriber instead of sleeping past ZMQ's slow joiner) and a ROUTER answering
 * replay requests from a buffer of what was "published", as vLLM's {@code ZmqEventPublisher} does. Tests decide
 * what is sent live and what only goes into the buffer (a lost message), and how replay misbehaves.
 */
final class TestKvEventPublisher implements AutoCloseable {

    private final ZContext context = new ZContext(1);
    private final ZMQ.Socket pub;
    private final ZMQ.Socket router;
    private final int pubPort;
    private final int replayPort;
    private final Map<Long, byte[]> buffer = new ConcurrentSkipListMap<>();
    private final Thread replayThread;
    private volatile boolean running = true;
    private volatile boolean fourFrameReplies;
    private volatile long bufferStartsAt = Long.MIN_VALUE;
    private final byte[] topic;

    TestKvEventPublisher(String topic) {
        this.topic = topic.getBytes();
        pub = context.createSocket(SocketType.XPUB);
        pub.setLinger(0);
        pub.setXpubVerbose(true); // report every subscription, also one to a topic already subscribed
        pubPort = pub.bindToRandomPort("tcp://127.0.0.1");
        router = context.createSocket(SocketType.ROUTER);
        router.setLinger(0);
        router.setReceiveTimeOut(50);
        replayPort = router.bindToRandomPort("tcp://127.0.0.1");
        replayThread = new Thread(this::serveReplays, "test-kv-replay");
        replayThread.setDaemon(true);
        replayThread.start();
    }

    int port() {
        return pubPort;
    }

    String endpoint() {
        return "tcp://127.0.0.1:" + pubPort;
    }

    String replayEndpoint() {
        return "tcp://127.0.0.1:" + replayPort;
    }

    /** Blocks until a subscriber's subscription reaches the PUB socket, so that what follows is not lost. */
    void awaitSubscriber(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            pub.setReceiveTimeOut((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            byte[] message = pub.recv(0);
            if (message != null && message.length > 0 && message[0] == 1) {
                return; // a subscription; 0 would be a departed subscriber's unsubscription
            }
        }
        throw new AssertionError("no subscriber joined within " + timeout);
    }

    /** Publishes batch {@code seq} and keeps it for replay. */
    void publish(long seq, byte[] payload) {
        buffer.put(seq, payload);
        send(topic, seq(seq), payload);
    }

    /** Keeps batch {@code seq} for replay without sending it: as if the subscriber missed it. */
    void lose(long seq, byte[] payload) {
        buffer.put(seq, payload);
    }

    /** Sends arbitrary frames on the PUB socket. */
    void send(byte[]... frames) {
        for (int i = 0; i < frames.length - 1; i++) {
            pub.sendMore(frames[i]);
        }
        pub.send(frames[frames.length - 1]);
    }

    /** Replies as some newer vLLM versions do, {@code ["", topic, seq, payload]}. */
    void fourFrameReplies(boolean value) {
        fourFrameReplies = value;
    }

    /** Forgets buffered batches before {@code seq}, as a replay buffer that has wrapped around. */
    void bufferStartsAt(long seq) {
        bufferStartsAt = seq;
    }

    static byte[] seq(long seq) {
        return ByteBuffer.allocate(Long.BYTES).putLong(seq).array();
    }

    private void serveReplays() {
        while (running) {
            List<byte[]> request = new ArrayList<>();
            byte[] first = router.recv(0);
            if (first == null) {
                continue;
            }
            request.add(first);
            while (router.hasReceiveMore()) {
                request.add(router.recv(0));
            }
            if (request.size() != 3 || request.get(2).length != Long.BYTES) {
                continue; // as vLLM: ignored
            }
            byte[] identity = request.get(0);
            long start = ByteBuffer.wrap(request.get(2)).getLong();
            for (Map.Entry<Long, byte[]> entry : buffer.entrySet()) {
                if (entry.getKey() >= start && entry.getKey() >= bufferStartsAt) {
                    reply(identity, seq(entry.getKey()), entry.getValue());
                }
            }
            reply(identity, seq(-1), new byte[0]);
        }
    }

    private void reply(byte[] identity, byte[] seq, byte[] payload) {
        router.sendMore(identity);
        router.sendMore(new byte[0]);
        if (fourFrameReplies) {
            router.sendMore(topic);
        }
        router.sendMore(seq);
        router.send(payload);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        replayThread.join(TimeUnit.SECONDS.toMillis(2));
        context.close();
    }
}
