package dev.prefixrouter.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.kvevents.BlockKeys;
import dev.prefixrouter.kvevents.EventApplier;
import dev.prefixrouter.kvevents.EventBatch;
import dev.prefixrouter.kvevents.KvEvent;
import dev.prefixrouter.kvevents.PreciseIndex;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With a precise index in the context, {@code /actuator/hashtrie} shows it beside the approximate index and
 * Prometheus has its meters. (Without one, the other actuator tests see the endpoint and meters as before.)
 */
@RouterTest
@Import(PreciseIndexActuatorTest.KvEvents.class)
class PreciseIndexActuatorTest {

    private static final SimulatedFleet fleet = new SimulatedFleet();

    @TestConfiguration
    static class KvEvents {
        @Bean
        EventApplier eventApplier() {
            return new EventApplier(new PreciseIndex(1 << 20, Duration.ofSeconds(2)), 4, Duration.ofSeconds(10));
        }
    }

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        fleet.start("m", Duration.ofMillis(5), Duration.ofMillis(1));
        fleet.register(registry);
    }

    @AfterAll
    static void stopEngines() {
        fleet.close();
    }

    @LocalManagementPort
    int managementPort;

    @Autowired
    EventApplier applier;

    @Test
    @SuppressWarnings("unchecked")
    void theEndpointAndMetricsShowThePreciseIndex() {
        applier.live("engine-a", true);
        int[] tokens = {1, 2, 3, 4, 5, 6, 7, 8};
        applier.batch("engine-a", new EventBatch(0, List.of(
                new KvEvent.BlockStored(new long[] {-1L, Long.MIN_VALUE}, false, 0, tokens, 4, null, "GPU")), null));
        assertThat(applier.index().held(BlockKeys.keys(tokens, 4), new String[] {"engine-a"}, 0)).containsExactly(2);

        Map<String, Object> trie = Http.client(managementPort).get().uri("/actuator/hashtrie").exchange()
                .expectStatus().isOk().expectBody(new ParameterizedTypeReference<Map<String, Object>>() { })
                .returnResult().getResponseBody();
        Map<String, Object> precise = (Map<String, Object>) trie.get("precise");
        assertThat(((Number) precise.get("keys")).longValue()).isEqualTo(2);
        assertThat(((Number) precise.get("budgetBytes")).longValue()).isEqualTo(1 << 20);
        assertThat(((Number) precise.get("bytes")).longValue()).isPositive().isLessThanOrEqualTo(1 << 20);
        List<Map<String, Object>> engines = (List<Map<String, Object>>) precise.get("engines");
        assertThat(engines).singleElement().satisfies(e -> {
            assertThat(e).containsEntry("engine", "engine-a").containsEntry("live", true)
                    .containsEntry("fresh", true);
            assertThat(((Number) e.get("blocks")).longValue()).isEqualTo(2);
        });

        String prometheus = Http.client(managementPort).get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(prometheus).contains("router_kv_index_bytes ", "router_kv_index_max_bytes 1048576",
                "router_kv_index_entries 2", "router_kv_index_evictions_total 0");
    }
}
