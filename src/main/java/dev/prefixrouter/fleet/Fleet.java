package dev.prefixrouter.fleet;

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
public class Fleet {

    private final Map<String, Engine> byId = new ConcurrentHashMap<>();
    private final List<FleetListener> listeners = new CopyOnWriteArrayList<>();
    private volatile List<Engine> snapshot = List.of();

    public Fleet(FleetProperties fleet) {
        fleet.backends().forEach(this::add);
    }

    /** Adds an engine; it starts unhealthy until its first successful probe. */
    public synchronized Engine add(EngineSpec spec) {
        if (byId.containsKey(spec.id())) {
            throw new IllegalArgumentException("An engine with id '" + spec.id() + "' is already registered");
        }
        Engine engine = new Engine(spec);
        byId.put(engine.id(), engine);
        List<Engine> next = new ArrayList<>(snapshot);
        next.add(engine);
        snapshot = List.copyOf(next);
        log.info("engine {} added: {} models={}", engine.id(), engine.url(),
                spec.models().isEmpty() ? "(discovered)" : spec.models());
        listeners.forEach(listener -> listener.engineAdded(engine));
        return engine;
    }

    /** Removes an engine; requests already sent to it finish on their own. */
    public synchronized boolean remove(String id) {
        Engine engine = byId.remove(id);
        if (engine == null) {
            return false;
        }
        List<Engine> next = new ArrayList<>(snapshot);
        next.remove(engine);
        snapshot = List.copyOf(next);
        log.info("engine {} removed", id);
        listeners.forEach(listener -> listener.engineRemoved(engine));
        return true;
    }

    /** Registers a listener and replays the current members to it as additions. */
    public synchronized void addListener(FleetListener listener) {
        listeners.add(listener);
        snapshot.forEach(listener::engineAdded);
    }

    public List<Engine> engines() {
        return snapshot;
    }

    public Optional<Engine> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Engines in rotation (healthy, not ejected) that serve the model. */
    public Candidates candidatesFor(String model) {
        List<Engine> all = snapshot;
        List<Engine> available = new ArrayList<>(all.size());
        boolean known = false;
        long now = System.nanoTime();
        for (Engine engine : all) {
            if (engine.serves(model)) {
                known = true;
                if (engine.inRotation(now)) {
                    available.add(engine);
                }
            }
        }
        return new Candidates(available, known);
    }

    /** Models served by at least one healthy engine, sorted. */
    public List<String> healthyModels() {
        TreeSet<String> models = new TreeSet<>();
        for (Engine engine : snapshot) {
            if (engine.healthy()) {
                models.addAll(engine.models());
            }
        }
        return List.copyOf(models);
    }

    public int healthyCount() {
        int count = 0;
        for (Engine engine : snapshot) {
            if (engine.healthy()) {
                count++;
            }
        }
        return count;
    }
}
