package dev.prefixrouter.fleet.kubernetes;

import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires Kubernetes discovery when {@code router.discovery.type} is {@code kubernetes}; with the default
 * ({@code static}) none of it exists and no Kubernetes client is created.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "router.discovery.type", havingValue = "kubernetes")
public class KubernetesDiscoveryConfiguration {

    /** Where Kubernetes mounts the namespace of a pod's service account. */
    static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    /**
     * @param kvEventsAnnotation the pod annotation naming a pod's KV-event endpoint; read by name from the KV-event
     *                           properties (which the fleet may not import), carried on the engine either way
     */
    @Bean
    PodWatcher podWatcher(FleetProperties fleetProperties, DiscoveryProperties discovery, Fleet fleet,
            @Value("${router.kv-events.pod-annotation:prefix-router.dev/kv-events-endpoint}")
            String kvEventsAnnotation) {
        if (!fleetProperties.backends().isEmpty()) {
            throw new IllegalArgumentException("router.backends must be empty when router.discovery.type is "
                    + "kubernetes: the fleet is the pods matching router.discovery.kubernetes.label-selector ("
                    + fleetProperties.backends().size() + " static backends are configured)");
        }
        DiscoveryProperties.Kubernetes properties = discovery.kubernetes();
        String namespace = namespace(properties.namespace(), SERVICE_ACCOUNT_NAMESPACE);
        return new PodWatcher(properties, namespace, new PodEngines(fleet,
                new PodMapper(properties, kvEventsAnnotation)));
    }

    /** The configured namespace, else the pod's own (from its service account), else {@code default}. */
    static String namespace(String configured, Path serviceAccountNamespace) {
        if (configured != null) {
            return configured;
        }
        if (Files.isReadable(serviceAccountNamespace)) {
            try {
                String own = Files.readString(serviceAccountNamespace, StandardCharsets.UTF_8).trim();
                if (!own.isEmpty()) {
                    return own;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("router.discovery.kubernetes.namespace is unset and "
                        + serviceAccountNamespace + " cannot be read", e);
            }
        }
        return "default";
    }
}
