package dev.prefixrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class ResponseAffinityTest {

    private static ResponseAffinity affinity(int maxIds) {
        return new ResponseAffinity(new RoutingProperties(RoutingProperties.PolicyName.ROUND_ROBIN, "x-session-id",
                new RoutingProperties.Prefix(4096, 64, 512, 0.5, 0.5), new RoutingProperties.Responses(maxIds)));
    }

    @Test
    void boundedLeastRecentlyUsedFirstOutWithItsBytesAccounted() {
        ResponseAffinity affinity = affinity(2);
        affinity.remember("resp_a", "e1");
        affinity.remember("resp_b", "e2");
        assertThat(affinity.engineOf("resp_a")).contains("e1"); // used: resp_b is now the eldest
        affinity.remember("resp_c", "e3");
        assertThat(affinity.engineOf("resp_b")).isEmpty();
        assertThat(affinity.engineOf("resp_a")).contains("e1");
        assertThat(affinity.size()).isEqualTo(2);
        assertThat(affinity.accountedBytes()).isEqualTo(2 * ResponseAffinity.bytesPerEntry("resp_a"));

        affinity.remember("resp_c", "e3"); // learnt twice (a retried stream): counted once
        affinity.forget("resp_a");
        affinity.forget("resp_a");
        assertThat(affinity.size()).isEqualTo(1);
        assertThat(affinity.accountedBytes()).isEqualTo(ResponseAffinity.bytesPerEntry("resp_c"));
    }

    @Test
    void gaugesShowTheMap() {
        ResponseAffinity affinity = affinity(10);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        affinity.bindTo(registry);
        affinity.remember("resp_x", "e1");
        assertThat(registry.get("router.responses.ids").gauge().value()).isEqualTo(1);
        assertThat(registry.get("router.responses.bytes").gauge().value())
                .isEqualTo(ResponseAffinity.bytesPerEntry("resp_x"));
    }

    @Test
    void aMapOfNothingIsRefused() {
        assertThatThrownBy(() -> new RoutingProperties.Responses(0)).hasMessageContaining("max-ids");
    }
}
