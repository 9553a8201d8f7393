package dev.prefixrouter.fleet.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import lombok.extern.slf4j.Slf4j;
import org.springframework.context.SmartLifecycle;

/**
 * Watches the engine pods with a fabric8 informer (one list, then a watch; relists and retries with exponential
 * backoff, up to 32 s apart, after any failure) and feeds them to {@link PodEngines}. Starts after the fleet
 * exists and before the web server; stops after the web server has drained, closing the informer and the client.
 *
 * <p>An unreachable or forbidding API server does not stop the router: it starts with no engines, its readiness
 * stays DOWN (the {@code backends} health indicator), and the informer keeps trying, saying why in the log. Only a
 * response the client cannot read (a deserialisation error, which no retry will cure) stops the informer.
 */
@Slf4j
final class PodWatcher implements SmartLifecycle {

    private final DiscoveryProperties.Kubernetes properties;
    private final String namespace;
    private final PodEngines podEngines;
    private volatile KubernetesClient client;
    private volatile SharedIndexInformer<Pod> informer;

    PodWatcher(DiscoveryProperties.Kubernetes properties, String namespace, PodEngines podEngines) {
        this.properties = properties;
        this.namespace = namespace;
        this.podEngines = podEngines;
    }

    @Override
    public void start() {
        client = new KubernetesClientBuilder()
                .withConfig(clientConfig())
                .withHttpClientFactory(new JdkHttpClientFactory())
                .build();
        log.info("discovering engines: pods in namespace '{}' from {}, {}", namespace, client.getMasterUrl(),
                properties);
        informer = client.pods().inNamespace(namespace).withLabelSelector(properties.labelSelector())
                .runnableInformer(properties.resyncPeriod().toMillis());
        informer.addEventHandler(podEngines);
        informer.exceptionHandler(this::retryAfter);
        informer.start().whenComplete((ignored, failure) -> {
            if (failure == null) {
                log.info("watching pods in namespace '{}' matching '{}': {} routable", namespace,
                        properties.labelSelector(), podEngines.size());
            }
        });
    }

    @Override
    public void stop() {
        SharedIndexInformer<Pod> running = informer;
        informer = null;
        if (running != null) {
            running.stop();
        }
        KubernetesClient open = client;
        client = null;
        if (open != null) {
            open.close();
        }
    }

    @Override
    public boolean isRunning() {
        return informer != null;
    }

    /** Like the demo fleet: before the prober and the web server, so engines are found as early as possible. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 2048;
    }

    /**
     * In the cluster: the service account, as fabric8 finds it (token, CA, API server from the environment), or a
     * kubeconfig when run outside. With {@code api-server-url}: that URL and no credentials, e.g. {@code kubectl
     * proxy}, so that a developer's kubeconfig is never read by accident. Either way without fabric8's per-request
     * retries (10 by default, ~100 s of backoff before a failure surfaces): the informer retries anyway, and this
     * way its handler hears of a failure at once and says so.
     */
    private Config clientConfig() {
        Config config;
        if (properties.apiServerUrl() == null) {
            config = Config.autoConfigure(null);
        } else {
            config = Config.empty();
            config.setMasterUrl(properties.apiServerUrl().toString());
        }
        config.setRequestRetryBackoffLimit(0);
        return config;
    }

    private boolean retryAfter(boolean started, Throwable failure) {
        if (informer == null) {
            return false; // stopping: the failure is the client being closed under a pending list or watch
        }
        if (ExceptionHandler.isDeserializationException(failure)) {
            log.error("pod discovery stopped: the API server's answer could not be read; no engines will join or "
                    + "leave until the router restarts", failure);
            return false;
        }
        log.warn("pod discovery {} pods in namespace '{}' from {}: {}{}; retrying with backoff",
                started ? "lost its watch on" : "cannot list", namespace, masterUrl(), describe(failure),
                hint(failure));
        return true;
    }

    private String masterUrl() {
        KubernetesClient current = client;
        return current == null ? "(closed client)" : current.getMasterUrl().toString();
    }

    /** The failure without its wrappers, e.g. {@code java.net.ConnectException} rather than a CompletionException. */
    private static String describe(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.toString();
    }

    private String hint(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof KubernetesClientException k8s && (k8s.getCode() == 401 || k8s.getCode() == 403)) {
                return " (the router's ServiceAccount needs get, list and watch on pods in namespace '" + namespace
                        + "': see k8s/overlays/discovery)";
            }
        }
        return "";
    }
}
