package dev.prefixrouter.support;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes API server on loopback for a test class: fabric8's mock server in CRUD mode (objects are stored,
 * listed, watched — label selectors included — updated and deleted as by a real one), plus a client to play the
 * kubelet and the operator with: create engine pods, make them Ready, relabel and delete them.
 */
public final class KubernetesApiServer implements AutoCloseable {

    public static final String ENGINE_LABEL = "app";
    public static final String ENGINE_LABEL_VALUE = "vllm";

    private final String namespace;
    private final KubernetesMockServer server = new KubernetesMockServer(new Context(Serialization.jsonMapper()),
            new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    private KubernetesClient client;

    public KubernetesApiServer(String namespace) {
        this.namespace = namespace;
    }

    /** Listens on a free loopback port. */
    public KubernetesApiServer start() {
        return start(0);
    }

    public KubernetesApiServer start(int port) {
        server.init(InetAddress.getLoopbackAddress(), port);
        client = server.createClient();
        return this;
    }

    /** The URL to give the router as {@code router.discovery.kubernetes.api-server-url}. */
    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /**
     * Creates a pod as the scheduler and kubelet would leave it: running on 127.0.0.1 with the engine's port in
     * the {@code prefix-router/port} annotation, labelled {@code app=vllm} and {@code model=<model>}.
     */
    public Pod createEnginePod(String name, int enginePort, String model, boolean ready) {
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace)
                .withLabels(Map.of(ENGINE_LABEL, ENGINE_LABEL_VALUE, "model", model))
                .withAnnotations(Map.of("prefix-router/port", Integer.toString(enginePort)))
                .endMetadata()
                .withNewSpec().addNewContainer().withName("engine").withImage("vllm/vllm-openai").endContainer()
                .endSpec()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1")
                .withConditions(readyCondition(ready)).endStatus()
                .build();
        return client.pods().inNamespace(namespace).resource(pod).create();
    }

    /** Sets the pod's Ready condition through the status subresource, as the kubelet does. */
    public void setReady(String name, boolean ready) {
        pod(name).editStatus(pod -> new PodBuilder(pod).editStatus()
                .withConditions(List.of(readyCondition(ready))).endStatus().build());
    }

    public void setLabel(String name, String key, String value) {
        pod(name).edit(pod -> new PodBuilder(pod).editMetadata().addToLabels(key, value).endMetadata().build());
    }

    public void delete(String name) {
        pod(name).delete();
    }

    public void deleteAllPods() {
        client.pods().inNamespace(namespace).delete();
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
        server.destroy();
    }

    private PodResource pod(String name) {
        return client.pods().inNamespace(namespace).withName(name);
    }

    private static PodCondition readyCondition(boolean ready) {
        return new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False").build();
    }
}
