package dev.prefixrouter.backend.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.backend.BackendRegistry;
import dev.prefixrouter.backend.BackendSpec;
import dev.prefixrouter.backend.Endpoint;
import dev.prefixrouter.backend.FleetListener;
import dev.prefixrouter.backend.FleetProperties;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Informer events in, registry membership out, with fleet listeners told of every change. */
class PodBackendsTest {

    private final BackendRegistry registry = new BackendRegistry(new FleetProperties(List.of()));
    private final PodBackends backends = new PodBackends(registry,
            new PodMapper(PodMapperTest.properties("model", null)));
    private final List<String> events = new ArrayList<>();

    @BeforeEach
    void listen() {
        registry.addListener(new FleetListener() {
            @Override
            public void endpointAdded(Endpoint endpoint) {
                events.add("+" + endpoint.id() + " " + endpoint.url() + " " + endpoint.models());
            }

            @Override
            public void endpointRemoved(Endpoint endpoint) {
                events.add("-" + endpoint.id());
            }
        });
    }

    private static Pod ready(String name, String ip) {
        return PodMapperTest.pod(name, ip, "True").build();
    }

    @Test
    void readyPodJoinsAndUnchangedReplaysAreNoOps() {
        Pod pod = ready("a", "10.0.0.1");
        backends.onAdd(pod);
        backends.onUpdate(pod, pod);
        backends.onUpdate(pod, new PodBuilder(pod).editMetadata().withResourceVersion("7").endMetadata().build());
        assertThat(events).containsExactly("+a http://10.0.0.1:8000 []");
        assertThat(registry.find("a")).isPresent();
    }

    @Test
    void unreadyPodDoesNotJoinUntilReadyAndLeavesWhenUnready() {
        Pod starting = PodMapperTest.pod("a", "10.0.0.1", "False").build();
        backends.onAdd(starting);
        assertThat(registry.endpoints()).isEmpty();

        backends.onUpdate(starting, ready("a", "10.0.0.1"));
        backends.onUpdate(ready("a", "10.0.0.1"), starting);
        assertThat(events).containsExactly("+a http://10.0.0.1:8000 []", "-a");
        assertThat(registry.endpoints()).isEmpty();
    }

    @Test
    void newIpOrNewModelReplacesTheBackend() {
        backends.onAdd(ready("a", "10.0.0.1"));
        backends.onUpdate(ready("a", "10.0.0.1"), ready("a", "10.0.0.2"));
        Pod relabelled = new PodBuilder(ready("a", "10.0.0.2")).editMetadata().addToLabels("model", "m2")
                .endMetadata().build();
        backends.onUpdate(ready("a", "10.0.0.2"), relabelled);

        assertThat(events).containsExactly("+a http://10.0.0.1:8000 []", "-a", "+a http://10.0.0.2:8000 []", "-a",
                "+a http://10.0.0.2:8000 [m2]");
        assertThat(registry.find("a").orElseThrow().serves("m2")).isTrue();
    }

    @Test
    void deletionRemovesOnlyWhatDiscoveryAdded() {
        registry.add(new BackendSpec("static", URI.create("http://10.9.9.9:8000"), List.of("m"), null));
        backends.onAdd(ready("a", "10.0.0.1"));
        backends.onDelete(ready("a", "10.0.0.1"), false);
        backends.onDelete(ready("static", "10.9.9.9"), true);

        assertThat(registry.find("a")).isEmpty();
        assertThat(registry.find("static")).isPresent();
        assertThat(backends.size()).isZero();
    }

    @Test
    void podWhoseNameIsTakenStaysOut() {
        registry.add(new BackendSpec("a", URI.create("http://10.9.9.9:8000"), List.of("m"), null));
        backends.onAdd(ready("a", "10.0.0.1"));
        assertThat(registry.find("a").orElseThrow().url()).hasToString("http://10.9.9.9:8000");
        assertThat(backends.size()).isZero();
    }
}
