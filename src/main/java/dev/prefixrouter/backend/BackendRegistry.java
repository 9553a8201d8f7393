package dev.prefixrouter.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import lombok.extern.slf4j.Slf4j;
import org.springframework.stereotype.Component;

/**
 * The fleet: every engine the router knows, healthy or not. Membership changes are rare and serialised; reads on
 * the request path iterate an immutable snapshot without locks.
 */
@Slf4j
@Component
public class BackendRegistry {

    private final Map<String, Endpoint> byId = new ConcurrentHashMap<>();
    private final List<FleetListener> listeners = new CopyOnWriteArrayList<>();
    private volatile List<Endpoint> snapshot = List.of();

    public BackendRegistry(FleetProperties fleet) {
        fleet.backends().forEach(this::add);
    }

    /** Adds an engine; it starts unhealthy until its first successful probe. */
    public synchronized Endpoint add(BackendSpec spec) {
        if (byId.containsKey(spec.id())) {
            throw new IllegalArgumentException("A backend with id '" + spec.id() + "' is already registered");
        }
        Endpoint endpoint = new Endpoint(spec);
        byId.put(endpoint.id(), endpoint);
        List<Endpoint> next = new ArrayList<>(snapshot);
        next.add(endpoint);
        snapshot = List.copyOf(next);
        log.info("backend {} added: {} models={}", endpoint.id(), endpoint.url(),
                spec.models().isEmpty() ? "(discovered)" : spec.models());
        listeners.forEach(listener -> listener.endpointAdded(endpoint));
        return endpoint;
    }

    /** Removes an engine; requests already sent to it finish on their own. */
    public synchronized boolean remove(String id) {
        Endpoint endpoint = byId.remove(id);
        if (endpoint == null) {
            return false;
        }
        List<Endpoint> next = new ArrayList<>(snapshot);
        next.remove(endpoint);
        snapshot = List.copyOf(next);
        log.info("backend {} removed", id);
        listeners.forEach(listener -> listener.endpointRemoved(endpoint));
        return true;
    }

    /** Registers a listener and replays the current members to it as additions. */
    public synchronized void addListener(FleetListener listener) {
        listeners.add(listener);
        snapshot.forEach(listener::endpointAdded);
    }

    public List<Endpoint> endpoints() {
        return snapshot;
    }

    public Optional<Endpoint> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Engines in rotation (healthy, not ejected) that serve the model. */
    public Candidates candidatesFor(String model) {
        List<Endpoint> all = snapshot;
        List<Endpoint> available = new ArrayList<>(all.size());
        boolean known = false;
        long now = System.nanoTime();
        for (Endpoint endpoint : all) {
            if (endpoint.serves(model)) {
                known = true;
                if (endpoint.inRotation(now)) {
                    available.add(endpoint);
                }
            }
        }
        return new Candidates(available, known);
    }

    /** Models served by at least one healthy engine, sorted. */
    public List<String> healthyModels() {
        TreeSet<String> models = new TreeSet<>();
        for (Endpoint endpoint : snapshot) {
            if (endpoint.healthy()) {
                models.addAll(endpoint.models());
            }
        }
        return List.copyOf(models);
    }

    public int healthyCount() {
        int count = 0;
        for (Endpoint endpoint : snapshot) {
            if (endpoint.healthy()) {
                count++;
            }
        }
        return count;
    }
}
