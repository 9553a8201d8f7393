package dev.prefixrouter.sim;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * A test's view of a simulated engine's KV-event sockets, as a vLLM subscriber would use them: a SUB socket for the
 * live stream and a DEALER for replay requests. Runs on the test thread; every wait is bounded.
 */
final class KvEventProbe implements AutoCloseable {

    /** One message: its three frames, the payload decoded. */
    record Message(String topic, long seq, byte[] payload) {
        WireEvent.Batch batch() {
            return WireEvent.decode(payload);
        }
    }

    private final ZMQ.Context context = ZMQ.context(1);
    private final ZMQ.Socket sub;
    private final KvEventsConfig config;

    KvEventProbe(KvEventsConfig config) {
        this.config = config;
        sub = context.socket(SocketType.SUB);
        sub.setLinger(0);
        sub.setReconnectIVL(20);
        // ZMTP heartbeats: a connection to a publisher that went away without closing it is noticed and redialled.
        sub.setHeartbeatIvl(100);
        sub.setHeartbeatTimeout(500);
        sub.subscribe(config.topic().getBytes(StandardCharsets.UTF_8));
        sub.connect(config.endpoint());
    }

    /** The next message within {@code timeout}, or null. */
    Message next(Duration timeout) {
        sub.setReceiveTimeOut((int) timeout.toMillis());
        byte[] topic = sub.recv();
        if (topic == null) {
            return null;
        }
        List<byte[]> rest = new ArrayList<>();
        while (sub.hasReceiveMore()) {
            rest.add(sub.recv());
        }
        if (rest.size() != 2 || rest.get(0).length != 8) {
            throw new AssertionError("expected [topic, seq(8), payload], got " + (rest.size() + 1) + " frames");
        }
        return new Message(new String(topic, StandardCharsets.UTF_8), ByteBuffer.wrap(rest.get(0)).getLong(),
                rest.get(1));
    }

    /** The next message, failing if none comes within five seconds. */
    Message next() {
        Message message = next(Duration.ofSeconds(5));
        if (message == null) {
            throw new AssertionError("no KV-event batch within 5 s");
        }
        return message;
    }

    /**
     * Waits until this subscription receives messages (ZMQ drops what a PUB sends before a subscriber has joined):
     * pokes the engine with {@code poke} until a message arrives, then returns the last message to arrive.
     */
    Message join(Runnable poke) {
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(10).toNanos();
        long redialAt = start + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (redialAt != 0 && System.nanoTime() > redialAt) {
                // After a publisher restart ZMQ redials by itself, but on a loaded machine it once took longer than
                // this whole wait (CI, 2026-12-03): dial again rather than wait for the library's next attempt.
                redialAt = 0;
                sub.disconnect(config.endpoint());
                sub.connect(config.endpoint());
            }
            poke.run();
            Message message = next(Duration.ofMillis(200));
            if (message != null) {
                // An earlier poke's batch may still be on its way: the last one to arrive is where the stream is.
                for (Message late; (late = next(Duration.ofMillis(300))) != null; ) {
                    message = late;
                }
                return message;
            }
        }
        throw new AssertionError("subscription to " + config.endpoint() + " never received anything");
    }

    /**
     * Asks the replay socket for every buffered batch from {@code start}: returns them as the DEALER receives them
     * ({@code ["", seq, payload]}), after checking that the end marker {@code ["", END_SEQ, ""]} closes the answer.
     */
    List<Message> replay(long start) {
        try (ZMQ.Socket dealer = context.socket(SocketType.DEALER)) {
            dealer.setLinger(0);
            dealer.setReceiveTimeOut(5_000);
            dealer.connect(config.replayEndpoint());
            dealer.sendMore(new byte[0]);
            dealer.send(ByteBuffer.allocate(8).putLong(start).array());
            List<Message> batches = new ArrayList<>();
            while (true) {
                List<byte[]> frames = new ArrayList<>();
                byte[] first = dealer.recv();
                if (first == null) {
                    throw new AssertionError("replay answer stopped after " + batches.size() + " batches");
                }
                frames.add(first);
                while (dealer.hasReceiveMore()) {
                    frames.add(dealer.recv());
                }
                if (frames.size() != 3 || frames.get(0).length != 0 || frames.get(1).length != 8) {
                    throw new AssertionError("replay frames should be [\"\", seq, payload], got " + frames.size());
                }
                if (Arrays.equals(frames.get(1), new byte[] {-1, -1, -1, -1, -1, -1, -1, -1})) {
                    if (frames.get(2).length != 0) {
                        throw new AssertionError("the end marker's last frame must be empty");
                    }
                    return batches;
                }
                batches.add(new Message(config.topic(), ByteBuffer.wrap(frames.get(1)).getLong(), frames.get(2)));
            }
        }
    }

    @Override
    public void close() {
        sub.close();
        context.term();
    }
}
