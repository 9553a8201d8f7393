package dev.prefixrouter.fleet.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.fleet.EngineSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which pods are engines, at which URL, serving which models. */
class PodMapperTest {

    static DiscoveryProperties.Kubernetes properties(String modelLabel, String apiKey) {
        return new DiscoveryProperties.Kubernetes("ns", "app=vllm", 8000, "prefix-router/port", "http", modelLabel,
                "prefix-router/models", apiKey, Duration.ofMinutes(5), null);
    }

    private final PodMapper mapper = new PodMapper(properties("model", "secret"));

    static PodBuilder pod(String name, String ip, String ready) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).addToLabels("app", "vllm").endMetadata();
        return ready == null ? pod.withNewStatus().withPodIP(ip).endStatus()
                : pod.withNewStatus().withPodIP(ip).addNewCondition().withType("Ready").withStatus(ready)
                        .endCondition().endStatus();
    }

    @Test
    void readyPodIsAnEngineAtItsIpAndTheConfiguredPort() {
        EngineSpec spec = mapper.map(pod("vllm-0", "10.1.2.3", "True").build()).engine();
        assertThat(spec).isEqualTo(new EngineSpec("vllm-0", URI.create("http://10.1.2.3:8000"), List.of(),
                "secret"));
    }

    @Test
    void podWithoutIpReadinessOrWithDeletionPendingIsNot() {
        assertThat(mapper.map(pod("p", null, "True").build()).excludedBecause()).isEqualTo("no pod IP yet");
        assertThat(mapper.map(pod("p", "10.1.2.3", "False").build()).excludedBecause()).isEqualTo("not Ready");
        assertThat(mapper.map(pod("p", "10.1.2.3", null).build()).excludedBecause()).isEqualTo("not Ready");
        Pod terminating = pod("p", "10.1.2.3", "True").editMetadata()
                .withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().build();
        assertThat(mapper.map(terminating).excludedBecause()).isEqualTo("terminating");
    }

    @Test
    void portAnnotationOverridesTheConfiguredPort() {
        Pod pod = pod("p", "10.1.2.3", "True").editMetadata().addToAnnotations("prefix-router/port", "8100")
                .endMetadata().build();
        assertThat(mapper.map(pod).engine().url()).hasToString("http://10.1.2.3:8100");

        Pod bad = pod("p", "10.1.2.3", "True").editMetadata().addToAnnotations("prefix-router/port", "http")
                .endMetadata().build();
        assertThat(mapper.map(bad).isRoutable()).isFalse();
        assertThat(mapper.map(bad).excludedBecause()).contains("prefix-router/port").contains("not a port number");
    }

    @Test
    void modelsComeFromTheAnnotationThenTheLabelElseTheEngine() {
        Pod labelled = pod("p", "10.1.2.3", "True").editMetadata().addToLabels("model", "llama-3-8b")
                .endMetadata().build();
        assertThat(mapper.map(labelled).engine().models()).containsExactly("llama-3-8b");

        Pod annotated = new PodBuilder(labelled).editMetadata()
                .addToAnnotations("prefix-router/models", " meta-llama/Llama-3.1-8B-Instruct, lora-a ,,lora-a")
                .endMetadata().build();
        assertThat(mapper.map(annotated).engine().models())
                .containsExactly("meta-llama/Llama-3.1-8B-Instruct", "lora-a");

        PodMapper withoutModelLabel = new PodMapper(properties(null, null));
        assertThat(withoutModelLabel.map(labelled).engine().models()).isEmpty();
    }

    @Test
    void ipv6PodIpIsBracketed() {
        assertThat(mapper.map(pod("p", "fd00::1", "True").build()).engine().url())
                .hasToString("http://[fd00::1]:8000");
    }

    @Test
    void kvEventsAnnotationGivesTheEngineItsEventEndpoint() {
        Pod annotated = pod("p", "10.1.2.3", "True").editMetadata()
                .addToAnnotations("prefix-router.dev/kv-events-endpoint", " tcp://10.1.2.3:6000 ").endMetadata().build();
        PodMapper reading = new PodMapper(properties(null, null), "prefix-router.dev/kv-events-endpoint");

        assertThat(reading.map(annotated).engine().kvEventsEndpoint()).isEqualTo("tcp://10.1.2.3:6000");
        assertThat(reading.map(pod("p", "10.1.2.3", "True").build()).engine().kvEventsEndpoint()).isNull();
        assertThat(mapper.map(annotated).engine().kvEventsEndpoint()).isNull();
    }
}
