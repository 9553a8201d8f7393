package dev.prefixrouter.fleet.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The namespace watched: configured, else the pod's own, else {@code default}. */
class DiscoveryNamespaceTest {

    @TempDir
    Path dir;

    @Test
    void configuredNamespaceWins() throws IOException {
        Path own = Files.writeString(dir.resolve("namespace"), "router-ns");
        assertThat(KubernetesDiscoveryConfiguration.namespace("engines", own)).isEqualTo("engines");
    }

    @Test
    void serviceAccountNamespaceWhenUnset() throws IOException {
        Path own = Files.writeString(dir.resolve("namespace"), "router-ns\n");
        assertThat(KubernetesDiscoveryConfiguration.namespace(null, own)).isEqualTo("router-ns");
    }

    @Test
    void defaultOutsideACluster() {
        assertThat(KubernetesDiscoveryConfiguration.namespace(null, dir.resolve("absent"))).isEqualTo("default");
    }
}
