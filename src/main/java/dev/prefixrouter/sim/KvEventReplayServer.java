package dev.prefixrouter.sim;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * vLLM's replay service ({@code ZmqEventPublisher._service_replay}) on a ROUTER socket: a DEALER sends
 * {@code ["", start_seq]} (8 bytes, big-endian), so this socket receives {@code [identity, "", start_seq]}; it
 * answers {@code [identity, "", seq, payload]} for every buffered batch from {@code start_seq} on, then the end
 * marker {@code [identity, "", END_SEQ, ""]} with {@code END_SEQ} = -1 as 8 bytes (all 0xFF). Any other request is
 * ignored with a warning, as vLLM does.
 *
 * <p>Concurrency: the ROUTER socket is created, used and closed by this server's own thread (ZMQ sockets are not
 * thread-safe); the {@link Buffer} is shared with the publisher thread under its monitor.
 */
final class KvEventReplayServer {

    static final byte[] END_SEQ = {-1, -1, -1, -1, -1, -1, -1, -1};
    private static final Logger log = LoggerFactory.getLogger(KvEventReplayServer.class);
    private static final int POLL_MILLIS = 50;

    private final ZMQ.Socket router;
    private final Buffer buffer;
    private final Thread thread;
    private volatile boolean stopped;
    private final java.util.concurrent.atomic.AtomicLong served;

    /** The last {@code capacity} batches, oldest first. */
    static final class Buffer {
        private final int capacity;
        private final ArrayDeque<Entry> entries = new ArrayDeque<>();

        Buffer(int capacity) {
            this.capacity = capacity;
        }

        synchronized void add(long seq, byte[] payload) {
            if (entries.size() == capacity) {
                entries.pollFirst();
            }
            entries.addLast(new Entry(seq, payload));
        }

        synchronized List<Entry> from(long start) {
            List<Entry> out = new ArrayList<>();
            for (Entry entry : entries) {
                if (entry.seq() >= start) {
                    out.add(entry);
                }
            }
            return out;
        }

        synchronized void clear() {
            entries.clear();
        }
    }

    record Entry(long seq, byte[] payload) {
    }

    /** Takes ownership of a bound ROUTER socket and starts serving on a daemon thread. */
    KvEventReplayServer(ZMQ.Socket router, Buffer buffer, String name, java.util.concurrent.atomic.AtomicLong served) {
        this.router = router;
        this.buffer = buffer;
        this.served = served;
        router.setReceiveTimeOut(POLL_MILLIS);
        this.thread = new Thread(this::serve, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops serving and closes the socket; returns once the thread has ended. */
    void stop() {
        stopped = true;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serve() {
        try {
            while (!stopped) {
                List<byte[]> frames = receive();
                if (frames != null) {
                    answer(frames);
                }
            }
        } catch (ZMQException | IllegalStateException e) {
            if (!stopped) {
                log.warn("KV-event replay socket failed; replay stops until the publisher restarts", e);
            }
        } finally {
            router.close();
        }
    }

    private List<byte[]> receive() {
        byte[] first = router.recv();
        if (first == null) {
            return null;
        }
        List<byte[]> frames = new ArrayList<>(3);
        frames.add(first);
        while (router.hasReceiveMore()) {
            frames.add(router.recv());
        }
        return frames;
    }

    private void answer(List<byte[]> frames) {
        if (frames.size() != 3 || frames.get(1).length != 0 || frames.get(2).length != 8) {
            log.warn("Ignoring a KV-event replay request of {} frames; expected [identity, \"\", start_seq]",
                    frames.size());
            return;
        }
        byte[] identity = frames.get(0);
        long start = ByteBuffer.wrap(frames.get(2)).getLong();
        for (Entry entry : buffer.from(start)) {
            router.sendMore(identity);
            router.sendMore(new byte[0]);
            router.sendMore(seqBytes(entry.seq()));
            router.send(entry.payload());
        }
        router.sendMore(identity);
        router.sendMore(new byte[0]);
        router.sendMore(END_SEQ);
        router.send(new byte[0]);
        served.incrementAndGet();
    }

    static byte[] seqBytes(long seq) {
        return ByteBuffer.allocate(8).putLong(seq).array();
    }
}
