package dev.prefixrouter.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Objects;

/**
 * Where and how a simulated kv-cache engine publishes its KV-cache events (vLLM's {@code --kv-events-config}).
 *
 * @param host         address both sockets bind, normally {@code 127.0.0.1}
 * @param port         the PUB socket's port (vLLM's {@code endpoint}, default 5557); at least 1
 * @param replayPort   the ROUTER replay socket's port (vLLM's {@code replay_endpoint}, default 5558), or 0 for no
 *                     replay socket
 * @param encoding     how batches are encoded
 * @param topic        the first frame of every message (vLLM's {@code topic}, empty by default)
 * @param bufferSteps  how many of the latest batches the replay socket can return (vLLM's {@code buffer_steps})
 * @param maxQueued    batches waiting for the publisher thread at most; beyond it a batch is dropped (and its
 *                     sequence number skipped, so subscribers see the gap) rather than slowing the engine
 */
public record KvEventsConfig(String host, int port, int replayPort, KvEventsEncoding encoding, String topic,
        int bufferSteps, int maxQueued) {

    public static final int DEFAULT_BUFFER_STEPS = 10_000;
    public static final int DEFAULT_MAX_QUEUED = 10_000;

    public KvEventsConfig {
        Objects.requireNonNull(host, "kv-events host must be set");
        Objects.requireNonNull(encoding, "kv-events encoding must be set");
        Objects.requireNonNull(topic, "kv-events topic must be set (empty for none)");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("kv-events port must be in 1..65535, was " + port);
        }
        if (replayPort < 0 || replayPort > 65535 || replayPort == port) {
            throw new IllegalArgumentException("kv-events replay port must be 0 (none) or a port in 1..65535 other"
                    + " than the PUB port " + port + ", was " + replayPort);
        }
        if (bufferSteps < 1 || maxQueued < 1) {
            throw new IllegalArgumentException("kv-events bufferSteps and maxQueued must be at least 1, were "
                    + bufferSteps + " and " + maxQueued);
        }
    }

    /** vLLM's defaults on the given ports: array encoding, empty topic, 10,000 batches of replay. */
    public static KvEventsConfig of(String host, int port, int replayPort) {
        return new KvEventsConfig(host, port, replayPort, KvEventsEncoding.ARRAY, "", DEFAULT_BUFFER_STEPS,
                DEFAULT_MAX_QUEUED);
    }

    /** Loopback on two free ports (picked now; a restart rebinds the same ones); for tests and benchmarks. */
    public static KvEventsConfig loopback() {
        int port = freePort();
        int replayPort = freePort();
        while (replayPort == port) {
            replayPort = freePort();
        }
        return of("127.0.0.1", port, replayPort);
    }

    public KvEventsConfig withEncoding(KvEventsEncoding value) {
        return new KvEventsConfig(host, port, replayPort, value, topic, bufferSteps, maxQueued);
    }

    public KvEventsConfig withTopic(String value) {
        return new KvEventsConfig(host, port, replayPort, encoding, value, bufferSteps, maxQueued);
    }

    public KvEventsConfig withBufferSteps(int value) {
        return new KvEventsConfig(host, port, replayPort, encoding, topic, value, maxQueued);
    }

    public KvEventsConfig withMaxQueued(int value) {
        return new KvEventsConfig(host, port, replayPort, encoding, topic, bufferSteps, value);
    }

    /** The PUB endpoint a subscriber connects to, e.g. {@code tcp://127.0.0.1:5557}. */
    public String endpoint() {
        return "tcp://" + host + ":" + port;
    }

    /** The replay endpoint a DEALER connects to, or {@code null} without a replay socket. */
    public String replayEndpoint() {
        return replayPort == 0 ? null : "tcp://" + host + ":" + replayPort;
    }

    /** A loopback port that was free a moment ago. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
