package dev.prefixrouter.kvevents;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import lombok.extern.slf4j.Slf4j;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * Fetches the batches a subscriber missed from an engine's replay endpoint, as vLLM's
 * {@code ZmqEventPublisher} serves them: a DEALER sends {@code ["", start seq (8 bytes)]}; the engine's ROUTER
 * answers every buffered batch from there, {@code ["", seq, payload]} (some versions put the topic before the
 * sequence: {@code ["", topic, seq, payload]}), then the end marker with sequence -1. Batches before the wanted
 * range or after it are ignored; one that skips ahead means the buffer no longer reaches back, and the fetch fails.
 * Each fetch uses a socket of its own on the caller's thread, closed before it returns.
 */
@Slf4j
final class ReplayClient {

    /** Receives the replayed batches, in order, each once. */
    interface Batches {
        void accept(long seq, byte[] payload);
    }

    private final String engineId;
    private final String endpoint;
    private final ZContext context;
    private final Duration timeout;
    private final Duration poll;
    private final BooleanSupplier running;

    /**
     * @param poll    how long one receive may wait before {@code running} is looked at again
     * @param running {@code false} once the subscriber is closing: the fetch gives up
     */
    ReplayClient(String engineId, String endpoint, ZContext context, Duration timeout, Duration poll,
            BooleanSupplier running) {
        this.engineId = engineId;
        this.endpoint = endpoint;
        this.context = context;
        this.timeout = timeout;
        this.poll = poll;
        this.running = running;
    }

    /** Delivers batches {@code [from, to)} to {@code batches}; whether all of them were delivered in time. */
    boolean fetch(long from, long to, Batches batches) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
        try {
            dealer.setLinger(0);
            dealer.connect(endpoint);
            dealer.sendMore(new byte[0]);
            dealer.send(ByteBuffer.allocate(Long.BYTES).putLong(from).array());
            long next = from;
            while (next < to && running.getAsBoolean()) {
                long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (remainingMillis <= 0) {
                    log.warn("engine {}: KV-event replay from {} did not finish within {}", engineId, endpoint,
                            timeout);
                    return false;
                }
                dealer.setReceiveTimeOut((int) Math.min(remainingMillis, poll.toMillis()));
                List<byte[]> frames = receive(dealer);
                if (frames != null) {
                    next = onReply(frames, next, to, batches);
                    if (next < 0) {
                        return false;
                    }
                }
            }
            return next >= to;
        } catch (ZMQException | IllegalArgumentException e) {
            log.warn("engine {}: KV-event replay from {} failed: {}", engineId, endpoint, e.toString());
            return false;
        } finally {
            context.destroySocket(dealer);
        }
    }

    /** The next sequence wanted after one reply, or -1 when the replay cannot fill the range. */
    private long onReply(List<byte[]> frames, long next, long to, Batches batches) {
        int seqFrame = frames.size() == 4 ? 2 : 1;
        if (frames.size() < 3 || frames.size() > 4 || frames.get(seqFrame).length != Long.BYTES) {
            log.warn("engine {}: KV-event replay sent a reply of {} frames; expected [\"\", seq, payload]",
                    engineId, frames.size());
            return -1;
        }
        long seq = ByteBuffer.wrap(frames.get(seqFrame)).getLong();
        if (seq == EngineSubscriber.END_SEQ) {
            log.warn("engine {}: KV-event replay ended before batch {}", engineId, next);
            return -1;
        }
        if (seq < next || seq >= to) {
            return next; // already applied, or the live stream brings it
        }
        if (seq > next) {
            log.warn("engine {}: KV-event replay buffer starts at batch {}, after the missed batch {}", engineId,
                    seq, next);
            return -1;
        }
        batches.accept(seq, frames.get(seqFrame + 1));
        return next + 1;
    }

    /** A whole multipart message, or {@code null} when none arrived within the socket's receive timeout. */
    static List<byte[]> receive(ZMQ.Socket socket) {
        byte[] first = socket.recv(0);
        if (first == null) {
            return null;
        }
        List<byte[]> frames = new ArrayList<>(4);
        frames.add(first);
        while (socket.hasReceiveMore()) {
            frames.add(socket.recv(0));
        }
        return frames;
    }
}
