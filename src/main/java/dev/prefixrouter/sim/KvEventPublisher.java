package dev.prefixrouter.sim;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * Publishes a simulated engine's KV-cache events as vLLM's {@code ZmqEventPublisher} does: a PUB socket sends
 * {@code [topic, seq, payload]} per batch, {@code seq} an 8-byte big-endian counter from 0, +1 per batch; a
 * {@link KvEventReplayServer} answers replay requests from the last {@code bufferSteps} batches.
 *
 * <p>Concurrency: the engine's step thread calls {@link #offer}, which never blocks (a lock-free queue and an
 * unpark), so publishing cannot slow a step. When {@code maxQueued} batches are already waiting, the batch is
 * dropped and counted, and the sequence number it would have had is skipped: subscribers see a gap, as they
 * would for a lost message, rather than silently missing events. This publisher's own thread encodes, buffers
 * (before sending, so a subscriber that sees a batch can always replay it) and sends; it alone touches the PUB
 * socket. A restart is a marker in the same queue, so it takes effect exactly after the batches offered before it.
 */
final class KvEventPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KvEventPublisher.class);
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final Duration BIND_PATIENCE = Duration.ofSeconds(3);

    private final KvEventsConfig config;
    private final byte[] topic;
    /** Replaced on each restart; the publisher thread's once started (close() terms it after the thread ends). */
    private volatile ZMQ.Context context = ZMQ.context(1);
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedBatches = new AtomicInteger();
    private final KvEventReplayServer.Buffer buffer;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong replays = new AtomicLong();
    private final AtomicInteger unsentToCome = new AtomicInteger();
    private final Thread thread;
    private volatile boolean closed;
    /** Batches dropped since the last one queued; the step thread's alone. */
    private int droppedBefore;

    // ---- the publisher thread's alone (handed over at start by Thread.start)
    private ZMQ.Socket pub;
    private KvEventReplayServer replay;
    private long nextSeq;

    private record Batch(double ts, List<SimKvEvent> events, int droppedBefore) {
    }

    private record Restart(CompletableFuture<Void> done) {
    }

    /** Binds both sockets (failing if a port stays busy) and starts publishing. */
    KvEventPublisher(KvEventsConfig config) {
        this.config = config;
        this.topic = config.topic().getBytes(StandardCharsets.UTF_8);
        this.buffer = new KvEventReplayServer.Buffer(config.bufferSteps());
        try {
            bind();
        } catch (RuntimeException e) {
            unbind();
            context.term();
            throw e;
        }
        thread = new Thread(this::run, "sim-kv-events-" + config.port());
        thread.setDaemon(true);
        thread.start();
    }

    KvEventsConfig config() {
        return config;
    }

    /** Queues a step's events; never blocks. Called by one driver thread at a time. */
    void offer(double ts, List<SimKvEvent> events) {
        if (closed || queuedBatches.get() >= config.maxQueued()) {
            dropped.incrementAndGet();
            droppedBefore++;
            return;
        }
        queuedBatches.incrementAndGet();
        queue.add(new Batch(ts, events, droppedBefore));
        droppedBefore = 0;
        LockSupport.unpark(thread);
    }

    /**
     * After the batches already offered, closes both sockets, forgets the replay buffer and binds again on the same
     * ports with the sequence back at 0: what subscribers see when an engine restarts. The future completes once
     * the new sockets are bound.
     */
    CompletableFuture<Void> restart() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new IllegalStateException("KV-event publisher closed"));
            return done;
        }
        queue.add(new Restart(done));
        LockSupport.unpark(thread);
        return done;
    }

    /** The next {@code batches} batches are buffered for replay but not sent: lost messages, for tests. */
    void loseNext(int batches) {
        unsentToCome.addAndGet(batches);
    }

    /** Batches sent on the PUB socket (or deliberately lost) since start. */
    long publishedBatches() {
        return published.get();
    }

    /** Batches dropped because the queue was full (or the publisher closed). */
    long droppedBatches() {
        return dropped.get();
    }

    /** Replay requests answered. */
    long replaysServed() {
        return replays.get();
    }

    /** The replay buffer; for tests (holding its monitor stalls the publisher thread). */
    KvEventReplayServer.Buffer replayBuffer() {
        return buffer;
    }

    /** The publisher thread; for tests. */
    Thread publisherThread() {
        return thread;
    }

    /** Stops the thread, closes the sockets and waits for them to be released. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        context.term();
    }

    private void run() {
        try {
            while (!closed) {
                Object item = queue.poll();
                if (item == null) {
                    LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                } else if (item instanceof Batch batch) {
                    queuedBatches.decrementAndGet();
                    send(batch);
                } else if (item instanceof Restart restart) {
                    rebind(restart.done());
                }
            }
        } finally {
            for (Object item; (item = queue.poll()) != null; ) {
                if (item instanceof Restart restart) {
                    restart.done().completeExceptionally(new IllegalStateException("KV-event publisher closed"));
                }
            }
            unbind();
        }
    }

    private void send(Batch batch) {
        long seq = nextSeq + batch.droppedBefore();
        nextSeq = seq + 1;
        byte[] payload;
        try {
            payload = KvEventEncoder.encode(batch.ts(), batch.events(), config.encoding());
        } catch (RuntimeException e) {
            log.error("Could not encode KV-event batch {}; subscribers will see a gap", seq, e);
            return;
        }
        buffer.add(seq, payload);
        published.incrementAndGet();
        if (unsentToCome.get() > 0 && unsentToCome.getAndDecrement() > 0) {
            return;
        }
        pub.sendMore(topic);
        pub.sendMore(KvEventReplayServer.seqBytes(seq));
        pub.send(payload);
    }

    private void rebind(CompletableFuture<Void> done) {
        try {
            unbind();
            // A new context, not just new sockets: terminating the old one closes every connection it accepted,
            // even one accepted while its socket was closing, which otherwise lived on answering heartbeats and
            // kept a subscriber from ever reconnecting to the new socket.
            context.term();
            context = ZMQ.context(1);
            buffer.clear();
            nextSeq = 0;
            bind();
            done.complete(null);
        } catch (RuntimeException e) {
            log.error("KV-event publisher could not bind again on port {} / {}", config.port(), config.replayPort(),
                    e);
            done.completeExceptionally(e);
        }
    }

    private void bind() {
        pub = context.socket(SocketType.PUB);
        pub.setLinger(0);
        bindPatiently(pub, config.endpoint());
        if (config.replayPort() != 0) {
            ZMQ.Socket router = context.socket(SocketType.ROUTER);
            router.setLinger(0);
            try {
                bindPatiently(router, config.replayEndpoint());
            } catch (RuntimeException e) {
                router.close();
                throw e;
            }
            replay = new KvEventReplayServer(router, buffer, "sim-kv-replay-" + config.replayPort(), replays);
        }
    }

    private void unbind() {
        if (replay != null) {
            replay.stop();
            replay = null;
        }
        if (pub != null) {
            pub.close();
            pub = null;
        }
    }

    /** Binds, retrying while the port is still held by a socket closed a moment ago (a restart on the same port). */
    private static void bindPatiently(ZMQ.Socket socket, String endpoint) {
        long deadline = System.nanoTime() + BIND_PATIENCE.toNanos();
        while (true) {
            try {
                socket.bind(endpoint);
                return;
            } catch (ZMQException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot bind KV-event socket to " + endpoint + ": "
                            + e.getMessage(), e);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }
}
