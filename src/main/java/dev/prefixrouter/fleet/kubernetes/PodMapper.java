package dev.prefixrouter.fleet.kubernetes;

import dev.prefixrouter.fleet.EngineSpec;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Turns a pod into the engine it stands for, or says why it stands for none. A pod is routable while it is not
 * terminating, has an IP and its {@code Ready} condition is {@code True} — the same test a Service applies to its
 * engines. Its id is the pod's name; its URL is {@code scheme://podIP:port}, the port taken from the pod's port
 * annotation when present; its models come from the models annotation, else the model label, else (empty) from the
 * engine's {@code /v1/models}. Its KV-event endpoint, if any, is the value of the KV-event annotation (named by
 * {@code router.kv-events.pod-annotation}, passed in as a plain name so that the fleet knows nothing of KV events).
 * Pure: no I/O, no state.
 */
final class PodMapper {

    private final DiscoveryProperties.Kubernetes properties;
    private final String kvEventsAnnotation;

    /** A mapper that reads no KV-event endpoint. */
    PodMapper(DiscoveryProperties.Kubernetes properties) {
        this(properties, null);
    }

    /** @param kvEventsAnnotation pod annotation naming the pod's KV-event endpoint, or {@code null} for none */
    PodMapper(DiscoveryProperties.Kubernetes properties, String kvEventsAnnotation) {
        this.properties = properties;
        this.kvEventsAnnotation = kvEventsAnnotation == null || kvEventsAnnotation.isBlank() ? null
                : kvEventsAnnotation.trim();
    }

    /** The engine a pod stands for, or why it stands for none. */
    record Mapping(EngineSpec engine, String excludedBecause) {

        static Mapping routable(EngineSpec engine) {
            return new Mapping(engine, null);
        }

        static Mapping excluded(String reason) {
            return new Mapping(null, reason);
        }

        boolean isRoutable() {
            return engine != null;
        }
    }

    Mapping map(Pod pod) {
        ObjectMeta metadata = pod.getMetadata();
        PodStatus status = pod.getStatus();
        if (metadata.getDeletionTimestamp() != null) {
            return Mapping.excluded("terminating");
        }
        if (status == null || status.getPodIP() == null || status.getPodIP().isBlank()) {
            return Mapping.excluded("no pod IP yet");
        }
        if (!isReady(status.getConditions())) {
            return Mapping.excluded("not Ready");
        }
        Map<String, String> annotations = metadata.getAnnotations() == null ? Map.of() : metadata.getAnnotations();
        Map<String, String> labels = metadata.getLabels() == null ? Map.of() : metadata.getLabels();
        int port = properties.port();
        String portOverride = properties.portAnnotation() == null ? null : annotations.get(properties.portAnnotation());
        if (portOverride != null) {
            port = parsePort(portOverride.trim());
            if (port < 0) {
                return Mapping.excluded("annotation " + properties.portAnnotation() + "='" + portOverride
                        + "' is not a port number");
            }
        }
        URI url;
        try {
            url = new URI(properties.scheme(), null, status.getPodIP().trim(), port, null, null, null);
        } catch (URISyntaxException e) {
            return Mapping.excluded("pod IP '" + status.getPodIP() + "' does not form a URL: " + e.getMessage());
        }
        String kvEventsEndpoint = kvEventsAnnotation == null ? null : annotations.get(kvEventsAnnotation);
        return Mapping.routable(new EngineSpec(metadata.getName(), url, models(annotations, labels),
                properties.apiKey(), kvEventsEndpoint));
    }

    private List<String> models(Map<String, String> annotations, Map<String, String> labels) {
        String listed = properties.modelsAnnotation() == null ? null : annotations.get(properties.modelsAnnotation());
        if (listed != null && !listed.isBlank()) {
            return Arrays.stream(listed.split(",")).map(String::trim).filter(name -> !name.isEmpty()).distinct()
                    .toList();
        }
        String labelled = properties.modelLabel() == null ? null : labels.get(properties.modelLabel());
        if (labelled != null && !labelled.isBlank()) {
            return List.of(labelled.trim());
        }
        return List.of();
    }

    private static boolean isReady(List<PodCondition> conditions) {
        if (conditions == null) {
            return false;
        }
        for (PodCondition condition : conditions) {
            if ("Ready".equals(condition.getType())) {
                return "True".equals(condition.getStatus());
            }
        }
        return false;
    }

    /** The port, or -1 when the text is not one. */
    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            return port >= 1 && port <= 65535 ? port : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
