package dev.prefixrouter.kvevents;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import lombok.extern.slf4j.Slf4j;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * Follows one engine's KV-event stream: a ZMQ SUB socket on the engine's PUB endpoint, read by a daemon thread of
 * its own ({@code kv-events-<engineId>}), never an event loop. Messages are {@code [topic, seq (8 bytes, big
 * endian), payload]}; each is decoded on that thread and handed to the {@link EventSink} in sequence order.
 *
 * <p>Sequence rules:
 * <ul>
 *   <li>the first message is accepted whatever its number, and the engine becomes live; if it is not 0, the
 *       batches before it are first asked of the replay endpoint from 0 (a catch-up, {@link #catchUp}), when its
 *       buffer reaches back that far;</li>
 *   <li>{@code seq == last + 1} is applied;</li>
 *   <li>{@code seq > last + 1} is a gap: the engine stops being live and the missing batches are asked of the
 *       replay endpoint (a DEALER sending {@code ["", start]}, replies {@code ["", seq, payload]} or
 *       {@code ["", topic, seq, payload]} up to the end marker {@code seq = -1}) within the replay timeout, and
 *       applied in order, duplicates dropped; live messages that arrive meanwhile wait in the SUB socket's queue.
 *       Without a replay endpoint, or when the replay fails, times out or no longer reaches back, the engine is
 *       forgotten and the current message starts afresh. Either way it is live again;</li>
 *   <li>{@code seq <= last}: the engine restarted; it is forgotten and the message starts afresh, with a catch-up
 *       as for a first message.</li>
 * </ul>
 * A message with the wrong number of frames or a sequence frame that is not 8 bytes is dropped without touching
 * the sequence (if a real batch was lost, the next message shows the gap). A payload that does not decode is
 * dropped but its sequence number counts as seen: replay would return the same bytes, so it is not a gap. Either
 * is counted ({@code reason=malformed}) and logged at WARN once per engine, then at DEBUG.
 *
 * <p>Concurrency: every socket is created, used and closed on the subscriber's thread, and every sink call and
 * meter update happens there, so the sequence state needs no locks. {@link #close()} only raises a flag: the
 * thread notices within {@link #POLL}, closes its sockets, reports the engine not live and forgotten, removes its
 * meters and ends. A subscriber that replaces one for the same engine id waits for its predecessor to end first,
 * so the old thread's last {@code forget} cannot erase what the new one delivered.
 */
@Slf4j
final class EngineSubscriber implements AutoCloseable {

    /** How often the thread looks at its stop flag while its sockets are idle. */
    static final Duration POLL = Duration.ofMillis(100);
    /** The replay protocol's end marker: -1 as 8 bytes. */
    static final long END_SEQ = -1;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final String engineId;
    private final String endpoint;
    private final String replayEndpoint;
    private final byte[] topic;
    private final Duration replayTimeout;
    private final Duration heartbeat;
    private final ZContext context;
    private final EventSink sink;
    private final KvEventDecoder decoder;
    private final MeterRegistry registry;
    private final EngineSubscriber predecessor;
    private final Thread thread;
    private final CountDownLatch ended = new CountDownLatch(1);
    /** Counted down by {@link #close()}, to cut a connection retry's wait short. */
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean running = true;

    // Sequence state, confined to the subscriber thread.
    private KvEventMeters meters;
    private boolean started;
    private long last;
    private boolean warned;
    /**
     * The batch being applied, so that it escapes: see {@link #apply}. Confined to the subscriber thread; cleared
     * once applied.
     */
    private KvEventDecoder.Decoded applying;

    /**
     * @param replayEndpoint the engine's replay (ROUTER) endpoint, or {@code null} for none
     * @param heartbeat      the ZMTP heartbeat interval (a connection silent for three is dropped and dialled
     *                       again), or zero for none
     * @param predecessor    the subscriber this one replaces for the same engine id (closed), or {@code null}
     */
    EngineSubscriber(String engineId, String endpoint, String replayEndpoint, String topic, Duration replayTimeout,
            Duration heartbeat, ZContext context, EventSink sink, KvEventDecoder decoder, MeterRegistry registry,
            EngineSubscriber predecessor) {
        this.engineId = engineId;
        this.endpoint = endpoint;
        this.replayEndpoint = replayEndpoint;
        this.topic = topic.getBytes(StandardCharsets.UTF_8);
        this.replayTimeout = replayTimeout;
        this.heartbeat = heartbeat;
        this.context = context;
        this.sink = sink;
        this.decoder = decoder;
        this.registry = registry;
        this.predecessor = predecessor;
        this.thread = new Thread(this::run, "kv-events-" + engineId);
        this.thread.setDaemon(true);
    }

    String engineId() {
        return engineId;
    }

    void start() {
        thread.start();
    }

    /** Asks the thread to stop; it closes its sockets, forgets the engine and removes its meters as it ends. */
    @Override
    public void close() {
        running = false;
        closed.countDown();
    }

    /** Whether the thread has ended. */
    boolean ended() {
        return ended.getCount() == 0;
    }

    /** Waits for the thread to end after {@link #close()}; returns whether it did within {@code timeout}. */
    boolean awaitTermination(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        try {
            if (predecessor != null && !predecessor.awaitTermination(Duration.ofSeconds(5))) {
                log.warn("engine {}: the previous KV-event subscriber did not end within 5s; starting anyway",
                        engineId);
            }
            meters = new KvEventMeters(registry, engineId);
            subscribe();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("engine {}: KV-event subscription to {} failed; the engine is routed approximately", engineId,
                    endpoint, e);
        } finally {
            end();
        }
    }

    private void subscribe() throws InterruptedException {
        ZMQ.Socket socket = context.createSocket(SocketType.SUB);
        try {
            socket.setLinger(0);
            socket.setReceiveTimeOut((int) POLL.toMillis());
            if (!heartbeat.isZero()) {
                // A SUB never writes after subscribing, so a publisher gone without a FIN would otherwise hold the
                // connection open forever: ZMQ would never dial again, and the engine would stay approximate.
                socket.setHeartbeatIvl((int) heartbeat.toMillis());
                socket.setHeartbeatTimeout((int) heartbeat.toMillis() * 3);
            }
            socket.subscribe(topic);
            sink.live(engineId, false);
            if (!connect(socket)) {
                return;
            }
            log.info("engine {}: subscribed to KV events at {} (replay: {})", engineId, endpoint,
                    replayEndpoint == null ? "none" : replayEndpoint);
            while (running) {
                List<byte[]> frames = ReplayClient.receive(socket);
                if (frames != null) {
                    onMessage(frames);
                }
            }
        } catch (ZMQException e) {
            if (running) {
                throw e;
            } // else the context was closed under us at shutdown
        } finally {
            context.destroySocket(socket);
        }
    }

    /**
     * Connects, retrying while the endpoint's host does not resolve (jeromq resolves at connect; a DNS name may not
     * exist yet when the engine joins), with a backoff from 1 s to 30 s; {@code false} if closed meanwhile. Once
     * connected, ZMQ itself reconnects whenever the engine goes away and comes back (a connection that stops
     * answering heartbeats counts as gone).
     */
    private boolean connect(ZMQ.Socket socket) throws InterruptedException {
        Duration backoff = Duration.ofSeconds(1);
        boolean reported = false;
        while (running) {
            try {
                socket.connect(endpoint);
                return true;
            } catch (ZMQException e) {
                if (!reported) {
                    reported = true;
                    log.warn("engine {}: cannot connect to its KV events at {} ({}); retrying, routed approximately"
                            + " meanwhile", engineId, endpoint, e.getMessage());
                }
                if (closed.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                    return false;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
        return false;
    }

    private void end() {
        try {
            sink.live(engineId, false);
            sink.forget(engineId);
            if (meters != null) {
                meters.forgotten(KvEventMeters.REMOVED);
                meters.remove();
            }
        } catch (RuntimeException e) {
            log.warn("engine {}: forgetting its KV events failed", engineId, e);
        } finally {
            ended.countDown();
        }
    }

    private void onMessage(List<byte[]> frames) {
        meters.received();
        if (frames.size() != 3 || frames.get(1).length != Long.BYTES) {
            malformed("a message of " + frames.size() + " frames" + (frames.size() > 1 ? " with a "
                    + frames.get(1).length + "-byte sequence frame" : "") + ": expected [topic, seq (8 bytes),"
                    + " payload]");
            return;
        }
        long seq = ByteBuffer.wrap(frames.get(1)).getLong();
        byte[] payload = frames.get(2);
        try {
            if (!started) {
                catchUp(seq);
                apply(seq, payload);
                live(true);
            } else if (seq == last + 1) {
                apply(seq, payload);
            } else if (seq > last + 1) {
                fillGap(seq);
                apply(seq, payload);
                live(true);
            } else {
                log.info("engine {}: KV-event sequence went back from {} to {} (engine restarted); forgetting it",
                        engineId, last, seq);
                forget(KvEventMeters.RESTART);
                catchUp(seq);
                apply(seq, payload);
            }
        } catch (RuntimeException e) {
            // The sink failed part-way: what it holds for this engine is unknown, so start again from nothing.
            log.warn("engine {}: applying KV-event batch {} failed; forgetting the engine", engineId, seq, e);
            live(false);
            forget(KvEventMeters.SINK_FAILED);
        }
    }

    /**
     * A stream joined part-way, the first message being {@code seq > 0}: the router started after the engine, or
     * the engine restarted and its first messages went by before the subscription reconnected (ZMQ's slow
     * joiner). What the engine cached before is asked of the replay endpoint from sequence 0, when its buffer still
     * reaches back that far; otherwise (or without a replay endpoint) the stream starts here, and what the engine
     * cached before stays unknown until it is cached again: never credited, so never wrongly.
     */
    private void catchUp(long seq) {
        if (seq == 0 || replayEndpoint == null) {
            return;
        }
        boolean ok = replay(0, seq);
        if (ok) {
            log.debug("engine {}: caught up on KV-event batches 0..{} from its replay buffer", engineId, seq - 1);
        } else if (started) { // part of the history arrived, then it stopped: what is missing may remove blocks
            forget(KvEventMeters.GAP);
        }
    }

    /** Replays the batches before {@code seq} that were missed, or forgets the engine when that cannot be done. */
    private void fillGap(long seq) {
        long from = last + 1;
        live(false);
        if (replayEndpoint == null) {
            log.info("engine {}: KV-event batches {}..{} lost and no replay endpoint; forgetting the engine",
                    engineId, from, seq - 1);
        } else {
            log.debug("engine {}: KV-event batches {}..{} missed; asking {} to replay them", engineId, from, seq - 1,
                    replayEndpoint);
            boolean ok = replay(from, seq);
            if (ok) {
                log.debug("engine {}: replayed KV-event batches {}..{}", engineId, from, seq - 1);
                return;
            }
            log.info("engine {}: KV-event batches {}..{} could not be replayed; forgetting the engine", engineId,
                    last + 1, seq - 1);
        }
        meters.dropped(KvEventMeters.GAP_UNRECOVERED, seq - last - 1);
        forget(KvEventMeters.GAP);
    }

    /** Asks the replay endpoint for batches {@code [from, to)} and applies them in order; counts the outcome. */
    private boolean replay(long from, long to) {
        boolean ok = new ReplayClient(engineId, replayEndpoint, context, replayTimeout, POLL, () -> running)
                .fetch(from, to, (replayed, payload) -> {
                    meters.received();
                    apply(replayed, payload);
                });
        meters.replay(ok);
        return ok;
    }

    /**
     * Delivers one batch (unless it does not decode) and moves the sequence to {@code seq}.
     *
     * <p>The decoded batch is stored in a field before the sink sees it, so that C2 never scalar-replaces it (an
     * object reachable from a field escapes). Three end-to-end benchmark runs on OpenJDK 17.0.15 crashed with a
     * SIGSEGV in {@code Deoptimization::reassign_fields}, rematerializing scalar-replaced objects of this method's
     * compiled frame at an uncommon trap taken inside the sink (a new engine id, never seen when it was compiled);
     * the batch and its record are what that frame held live across the sink call.
     */
    private void apply(long seq, byte[] payload) {
        started = true;
        last = seq;
        try {
            applying = decoder.decode(payload);
        } catch (MalformedBatchException e) {
            malformed("batch " + seq + ": " + e.getMessage());
            return;
        }
        try {
            if (applying.unknownEvents() > 0) {
                meters.dropped(KvEventMeters.UNKNOWN_EVENT, applying.unknownEvents());
            }
            List<KvEvent> events = applying.batch().events();
            sink.batch(engineId, applying.batch());
            meters.applied(events.size());
            for (int i = 0; i < events.size(); i++) {
                if (events.get(i) instanceof KvEvent.AllBlocksCleared) {
                    meters.forgotten(KvEventMeters.CLEARED); // the sink applies it in place, in order with the rest
                }
            }
        } finally {
            applying = null;
        }
    }

    private void forget(String reason) {
        started = false;
        meters.forgotten(reason);
        sink.forget(engineId);
    }

    private void live(boolean value) {
        meters.live(value);
        sink.live(engineId, value);
    }

    private void malformed(String what) {
        meters.dropped(KvEventMeters.MALFORMED, 1);
        if (!warned) {
            warned = true;
            log.warn("engine {}: skipped a malformed KV-event message ({}); further ones are logged at DEBUG",
                    engineId, what);
        } else {
            log.debug("engine {}: skipped a malformed KV-event message ({})", engineId, what);
        }
    }
}
