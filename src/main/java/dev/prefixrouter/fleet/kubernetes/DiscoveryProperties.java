package dev.prefixrouter.fleet.kubernetes;

import static dev.prefixrouter.config.PropertyChecks.requireNotNegative;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the fleet comes from: {@code router.discovery.*}.
 *
 * @param type       {@code static} (the engines listed under {@code router.backends}) or {@code kubernetes} (pods
 *                   found by label; {@code router.backends} must then be empty)
 * @param kubernetes how pods are found and turned into engines; read only when {@code type} is {@code kubernetes}
 */
@Validated
@ConfigurationProperties("router.discovery")
public record DiscoveryProperties(
        @NotNull @DefaultValue("static") Type type,
        @NotNull @Valid @DefaultValue Kubernetes kubernetes) {

    public DiscoveryProperties {
        if (type == Type.KUBERNETES && kubernetes != null
                && (kubernetes.labelSelector() == null || kubernetes.labelSelector().isBlank())) {
            throw new IllegalArgumentException("router.discovery.kubernetes.label-selector must be set when "
                    + "router.discovery.type is kubernetes (e.g. app=vllm): without one every pod in the namespace "
                    + "would receive inference traffic");
        }
    }

    /** The fleet's sources; bound from their lower-case names. */
    public enum Type {
        STATIC,
        KUBERNETES
    }

    /**
     * Kubernetes discovery: engines are the Ready pods matching a label selector in one namespace.
     *
     * @param namespace        namespace to watch; unset: the router's own (from its service account), else
     *                         {@code default}
     * @param labelSelector    which pods are engines, in {@code kubectl}'s syntax, e.g. {@code app=vllm}
     * @param port             port of the engine's OpenAI server on each pod
     * @param portAnnotation   pod annotation whose value overrides {@code port} for that pod
     * @param scheme           {@code http} or {@code https}
     * @param modelLabel       optional pod label whose value is the model served (label values cannot hold
     *                         {@code /}, so names like {@code meta-llama/Llama-3.1-8B} need the annotation)
     * @param modelsAnnotation pod annotation listing the models served, comma-separated; wins over the label
     * @param apiKey           sent upstream to every discovered engine as a Bearer token
     * @param resyncPeriod     how often the informer replays its cache to the router, a safety net over the watch
     *                         (no API call); 0 disables it
     * @param apiServerUrl     API server to use instead of the in-cluster service account or kubeconfig, without
     *                         credentials: for an authenticating proxy such as {@code kubectl proxy}
     */
    public record Kubernetes(
            String namespace,
            String labelSelector,
            @DefaultValue("8000") int port,
            @DefaultValue("prefix-router/port") String portAnnotation,
            @DefaultValue("http") String scheme,
            String modelLabel,
            @DefaultValue("prefix-router/models") String modelsAnnotation,
            String apiKey,
            @NotNull @DefaultValue("5m") Duration resyncPeriod,
            URI apiServerUrl) {

        private static final String PREFIX = "router.discovery.kubernetes.";

        public Kubernetes {
            namespace = blankToNull(namespace);
            labelSelector = blankToNull(labelSelector);
            portAnnotation = blankToNull(portAnnotation);
            modelLabel = blankToNull(modelLabel);
            modelsAnnotation = blankToNull(modelsAnnotation);
            apiKey = blankToNull(apiKey);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(PREFIX + "port must be between 1 and 65535, was " + port);
            }
            if (!"http".equals(scheme) && !"https".equals(scheme)) {
                throw new IllegalArgumentException(PREFIX + "scheme must be http or https, was '" + scheme + "'");
            }
            requireNotNegative(resyncPeriod, PREFIX + "resync-period");
            if (apiServerUrl != null && (apiServerUrl.getHost() == null
                    || !("http".equals(apiServerUrl.getScheme()) || "https".equals(apiServerUrl.getScheme())))) {
                throw new IllegalArgumentException(PREFIX + "api-server-url must be an http or https URL, was '"
                        + apiServerUrl + "'");
            }
        }

        @Override
        public String toString() {
            return "Kubernetes[namespace=" + namespace + ", labelSelector=" + labelSelector + ", port=" + port
                    + ", scheme=" + scheme + ", modelLabel=" + modelLabel + ", modelsAnnotation=" + modelsAnnotation
                    + (apiKey != null ? ", apiKey=<set>" : "") + ", resyncPeriod=" + resyncPeriod
                    + (apiServerUrl != null ? ", apiServerUrl=" + apiServerUrl : "") + "]";
        }

        private static String blankToNull(String value) {
            return value == null || value.isBlank() ? null : value.trim();
        }
    }
}
