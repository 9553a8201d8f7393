package dev.prefixrouter.fleet.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.EngineSpec;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetListener;
import dev.prefixrouter.fleet.FleetProperties;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Informer events in, registry membership out, with fleet listeners told of every change. */
class PodEnginesTest {

    private final Fleet fleet = new Fleet(new FleetProperties(List.of()));
    private final PodEngines podEngines = new PodEngines(fleet,
            new PodMapper(PodMapperTest.properties("model", null)));
    private final List<String> events = new ArrayList<>();

    @BeforeEach
    void listen() {
        fleet.addListener(new FleetListener() {
            @Override
            public void engineAdded(Engine engine) {
                events.add("+" + engine.id() + " " + engine.url() + " " + engine.models());
            }

            @Override
            public void engineRemoved(Engine engine) {
                events.add("-" + engine.id());
            }
        });
    }

    private static Pod ready(String name, String ip) {
        return PodMapperTest.pod(name, ip, "True").build();
    }

    @Test
    void readyPodJoinsAndUnchangedReplaysAreNoOps() {
        Pod pod = ready("a", "10.0.0.1");
        podEngines.onAdd(pod);
        podEngines.onUpdate(pod, pod);
        podEngines.onUpdate(pod, new PodBuilder(pod).editMetadata().withResourceVersion("7").endMetadata().build());
        assertThat(events).containsExactly("+a http://10.0.0.1:8000 []");
        assertThat(fleet.find("a")).isPresent();
    }

    @Test
    void unreadyPodDoesNotJoinUntilReadyAndLeavesWhenUnready() {
        Pod starting = PodMapperTest.pod("a", "10.0.0.1", "False").build();
        podEngines.onAdd(starting);
        assertThat(fleet.engines()).isEmpty();

        podEngines.onUpdate(starting, ready("a", "10.0.0.1"));
        podEngines.onUpdate(ready("a", "10.0.0.1"), starting);
        assertThat(events).containsExactly("+a http://10.0.0.1:8000 []", "-a");
        assertThat(fleet.engines()).isEmpty();
    }

    @Test
    void newIpOrNewModelReplacesTheBackend() {
        podEngines.onAdd(ready("a", "10.0.0.1"));
        podEngines.onUpdate(ready("a", "10.0.0.1"), ready("a", "10.0.0.2"));
        Pod relabelled = new PodBuilder(ready("a", "10.0.0.2")).editMetadata().addToLabels("model", "m2")
                .endMetadata().build();
        podEngines.onUpdate(ready("a", "10.0.0.2"), relabelled);

        assertThat(events).containsExactly("+a http://10.0.0.1:8000 []", "-a", "+a http://10.0.0.2:8000 []", "-a",
                "+a http://10.0.0.2:8000 [m2]");
        assertThat(fleet.find("a").orElseThrow().serves("m2")).isTrue();
    }

    @Test
    void deletionRemovesOnlyWhatDiscoveryAdded() {
        fleet.add(new EngineSpec("static", URI.create("http://10.9.9.9:8000"), List.of("m"), null));
        podEngines.onAdd(ready("a", "10.0.0.1"));
        podEngines.onDelete(ready("a", "10.0.0.1"), false);
        podEngines.onDelete(ready("static", "10.9.9.9"), true);

        assertThat(fleet.find("a")).isEmpty();
        assertThat(fleet.find("static")).isPresent();
        assertThat(podEngines.size()).isZero();
    }

    @Test
    void podWhoseNameIsTakenStaysOut() {
        fleet.add(new EngineSpec("a", URI.create("http://10.9.9.9:8000"), List.of("m"), null));
        podEngines.onAdd(ready("a", "10.0.0.1"));
        assertThat(fleet.find("a").orElseThrow().url()).hasToString("http://10.9.9.9:8000");
        assertThat(podEngines.size()).isZero();
    }
}
