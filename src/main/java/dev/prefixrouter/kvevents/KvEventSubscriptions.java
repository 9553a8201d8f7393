package dev.prefixrouter.kvevents;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.FleetListener;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import lombok.extern.slf4j.Slf4j;
import org.zeromq.ZContext;

/**
 * Keeps one {@link EngineSubscriber} per engine of the fleet: started when the engine joins, closed when it leaves.
 * Register it with the fleet ({@code fleet.addListener}) and close it at shutdown.
 *
 * <p>An engine's PUB endpoint is, in order: {@code router.kv-events.endpoints[<engine id>]}; the endpoint discovery
 * found for it (the pod annotation {@code router.kv-events.pod-annotation}); {@code endpoint-template} with
 * {@code {host}} replaced by the host of the engine's URL. Its replay endpoint is
 * {@code router.kv-events.replay-endpoints[<engine id>]}, else {@code replay-endpoint-template} (empty: none).
 * Endpoints must be {@code tcp://host:port}; an engine whose endpoint is missing or malformed gets no subscriber
 * (a WARN says why) and stays routed approximately: a configuration slip never stops the router.
 *
 * <p>Concurrency: the fleet calls {@link #engineAdded} and {@link #engineRemoved} one at a time; neither blocks
 * (closing only raises the subscriber's flag). A subscriber for an engine id that was just removed waits for its
 * predecessor's thread to end before it starts. All subscribers share one ZMQ context (one I/O thread), closed last
 * by {@link #close()}.
 */
@Slf4j
public final class KvEventSubscriptions implements FleetListener, AutoCloseable {

    private static final Pattern TCP_ENDPOINT = Pattern.compile("tcp://(\\[[0-9A-Fa-f:.]+]|[^:/\\s\\[\\]]+):(\\d{1,5})");
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(3);

    private final KvEventsProperties properties;
    private final EventSink sink;
    private final MeterRegistry registry;
    private final KvEventDecoder decoder = new KvEventDecoder();
    private final ZContext context = new ZContext(1);
    private final Map<String, EngineSubscriber> subscribers = new ConcurrentHashMap<>();
    /** Closed subscribers whose threads may still be ending, by engine id. */
    private final Map<String, EngineSubscriber> retiring = new ConcurrentHashMap<>();

    public KvEventSubscriptions(KvEventsProperties properties, EventSink sink, MeterRegistry registry) {
        this.properties = properties;
        this.sink = sink;
        this.registry = registry;
    }

    /** The PUB and replay endpoints of one engine; {@code replay} is {@code null} for none. */
    record Endpoints(String events, String replay) {
    }

    @Override
    public synchronized void engineAdded(Engine engine) {
        Endpoints endpoints;
        try {
            endpoints = resolve(properties, engine);
        } catch (IllegalArgumentException e) {
            log.warn("engine {}: not subscribing to its KV events, it is routed approximately: {}", engine.id(),
                    e.getMessage());
            return;
        }
        retiring.values().removeIf(EngineSubscriber::ended);
        EngineSubscriber subscriber = new EngineSubscriber(engine.id(), endpoints.events(), endpoints.replay(),
                properties.topic(), properties.replayTimeout(), properties.heartbeatInterval(), context, sink, decoder,
                registry, retiring.remove(engine.id()));
        EngineSubscriber previous = subscribers.put(engine.id(), subscriber);
        if (previous != null) {
            previous.close(); // not expected from the fleet, which adds an id once
        }
        subscriber.start();
    }

    @Override
    public synchronized void engineRemoved(Engine engine) {
        EngineSubscriber subscriber = subscribers.remove(engine.id());
        if (subscriber != null) {
            subscriber.close();
            retiring.put(engine.id(), subscriber);
        }
    }

    /** Ids of the engines with a subscriber, sorted. */
    public Set<String> subscribedEngines() {
        return new TreeSet<>(subscribers.keySet());
    }

    /** Stops every subscriber, waits a little for their threads, and closes the ZMQ context. */
    @Override
    public synchronized void close() throws InterruptedException {
        subscribers.values().forEach(EngineSubscriber::close);
        retiring.putAll(subscribers);
        subscribers.clear();
        long deadline = System.nanoTime() + SHUTDOWN_WAIT.toNanos();
        boolean allEnded = true;
        for (EngineSubscriber subscriber : retiring.values()) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            allEnded &= subscriber.awaitTermination(left);
        }
        retiring.clear();
        if (allEnded) {
            context.close();
        } else {
            // Terminating the context would wait for the stuck thread's sockets; the threads are daemons.
            log.warn("KV-event subscribers did not stop within {}; leaving the ZMQ context open", SHUTDOWN_WAIT);
        }
    }

    /**
     * Where {@code engine} publishes, by configuration, discovery, then the templates. Discovery's value (a pod
     * annotation, the demo's engines) is {@code tcp://host:port} or {@code tcp://host:port,tcp://host:replayPort}.
     */
    static Endpoints resolve(KvEventsProperties properties, Engine engine) {
        String host = engine.url().getHost();
        String events = properties.endpoints().get(engine.id());
        String source = "router.kv-events.endpoints[" + engine.id() + "]";
        // Discovery's value is the PUB endpoint, optionally followed by ",<replay endpoint>".
        String[] discovered = engine.kvEventsEndpoint() == null ? new String[0]
                : engine.kvEventsEndpoint().split(",", 2);
        if (events == null && discovered.length > 0) {
            events = discovered[0];
            source = "pod annotation " + properties.podAnnotation();
        }
        if (events == null) {
            events = properties.endpointTemplate().replace("{host}", host);
            source = "router.kv-events.endpoint-template";
        }
        String replay = properties.replayEndpoints().get(engine.id());
        String replaySource = "router.kv-events.replay-endpoints[" + engine.id() + "]";
        if (replay == null && discovered.length == 2) {
            replay = discovered[1];
            replaySource = "pod annotation " + properties.podAnnotation();
        }
        if (replay == null) {
            replay = properties.replayEndpointTemplate().replace("{host}", host);
            replaySource = "router.kv-events.replay-endpoint-template";
        }
        return new Endpoints(checked(events.trim(), source), replay.isBlank() ? null : checked(replay.trim(),
                replaySource));
    }

    private static String checked(String endpoint, String source) {
        var matcher = TCP_ENDPOINT.matcher(endpoint);
        if (!matcher.matches()) {
            throw new IllegalArgumentException(source + " gives '" + endpoint + "': expected tcp://host:port");
        }
        int port = Integer.parseInt(matcher.group(2));
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(source + " gives '" + endpoint + "': port " + port
                    + " is not between 1 and 65535");
        }
        return endpoint;
    }
}
