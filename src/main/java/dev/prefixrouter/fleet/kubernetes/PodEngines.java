package dev.prefixrouter.fleet.kubernetes;

import dev.prefixrouter.fleet.EngineSpec;
import dev.prefixrouter.fleet.Fleet;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.HashMap;
import java.util.Map;
import lombok.extern.slf4j.Slf4j;

/**
 * Keeps the fleet in step with the watched pods: each routable pod is one engine, added when it becomes
 * routable and removed when it is deleted, stops being Ready, starts terminating or stops matching the selector
 * (the API server reports that as a deletion). A pod whose URL or models change is removed and added again: the
 * fleet has no update, and a changed engine is a new engine to the prober and the prefix index.
 *
 * <p>Concurrency: fabric8 calls the handler on its informer threads, one event at a time, and the periodic resync
 * replays every pod as an update; {@code synchronized} keeps {@link #registered} and the fleet in step even so.
 * Replays of an unchanged pod are no-ops. Requests already sent to a removed engine keep their own connection and
 * finish on their own.
 */
@Slf4j
final class PodEngines implements ResourceEventHandler<Pod> {

    private final Fleet fleet;
    private final PodMapper mapper;
    /** What this class has put in the fleet, by pod name; guarded by {@code this}. */
    private final Map<String, EngineSpec> registered = new HashMap<>();

    PodEngines(Fleet fleet, PodMapper mapper) {
        this.fleet = fleet;
        this.mapper = mapper;
    }

    @Override
    public void onAdd(Pod pod) {
        reconcile(pod);
    }

    @Override
    public void onUpdate(Pod previous, Pod pod) {
        reconcile(pod);
    }

    @Override
    public void onDelete(Pod pod, boolean finalStateUnknown) {
        withdraw(pod.getMetadata().getName(), finalStateUnknown ? "deleted (missed while the watch was down)"
                : "deleted or no longer matching the selector");
    }

    /** Pods currently registered as engines. */
    synchronized int size() {
        return registered.size();
    }

    private synchronized void reconcile(Pod pod) {
        String name = pod.getMetadata().getName();
        PodMapper.Mapping mapping = mapper.map(pod);
        EngineSpec current = registered.get(name);
        if (!mapping.isRoutable()) {
            if (current == null) {
                log.debug("pod {} is not routable yet: {}", name, mapping.excludedBecause());
            }
            withdraw(name, mapping.excludedBecause());
            return;
        }
        EngineSpec wanted = mapping.engine();
        if (wanted.equals(current)) {
            return;
        }
        if (current != null) {
            withdraw(name, "changed: " + describe(current) + " -> " + describe(wanted));
        }
        try {
            fleet.add(wanted);
            registered.put(name, wanted);
            log.info("pod {} joined the fleet as {}", name, describe(wanted));
        } catch (IllegalArgumentException e) {
            // Another source (the demo profile) already uses this id; routing to one of the two at random would be
            // worse than leaving the pod out.
            log.error("pod {} cannot join the fleet: {}", name, e.getMessage());
        }
    }

    private synchronized void withdraw(String name, String reason) {
        if (registered.remove(name) != null) {
            fleet.remove(name);
            log.info("pod {} left the fleet: {}", name, reason);
        }
    }

    private static String describe(EngineSpec spec) {
        return spec.url() + " models=" + (spec.models().isEmpty() ? "(from /v1/models)" : spec.models())
                + (spec.kvEventsEndpoint() == null ? "" : " kv-events=" + spec.kvEventsEndpoint());
    }
}
