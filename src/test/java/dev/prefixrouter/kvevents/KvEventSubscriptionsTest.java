package dev.prefixrouter.kvevents;

import static dev.prefixrouter.kvevents.EngineSubscriberTest.batch;
import static dev.prefixrouter.kvevents.EngineSubscriberTest.threadAlive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.EngineSpec;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.util.unit.DataSize;

/** Subscriptions follow the fleet, and each engine's endpoints come from configuration, discovery or templates. */
@Timeout(20)
class KvEventSubscriptionsTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    static KvEventsProperties properties(String template, String replayTemplate, Map<String, String> endpoints,
            Map<String, String> replayEndpoints) {
        return new KvEventsProperties(true, template, replayTemplate, endpoints, replayEndpoints, "", 
                "prefix-router.dev/kv-events-endpoint", 16, DataSize.ofMegabytes(64), Duration.ofSeconds(10),
                Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(2),
                new KvEventsProperties.Tokenizer("", Duration.ofMillis(250), DataSize.ofMegabytes(16)));
    }

    private final Fleet fleet = new Fleet(new FleetProperties(List.of()));

    private Engine engine(String id, String host, String annotated) {
        return fleet.add(new EngineSpec(id, URI.create("http://" + host + ":8000"), List.of("m"), null, annotated));
    }

    @Test
    void configurationWinsOverTheAnnotationWhichWinsOverTheTemplate() {
        KvEventsProperties properties = properties("tcp://{host}:5557", "tcp://{host}:5558",
                Map.of("configured", "tcp://10.9.9.9:7000"), Map.of("annotated", "tcp://10.9.9.9:7001"));

        assertThat(KvEventSubscriptions.resolve(properties, engine("configured", "10.0.0.1", "tcp://10.0.0.1:6000")))
                .isEqualTo(new KvEventSubscriptions.Endpoints("tcp://10.9.9.9:7000", "tcp://10.0.0.1:5558"));
        assertThat(KvEventSubscriptions.resolve(properties, engine("annotated", "10.0.0.2", "tcp://10.0.0.2:6000")))
                .isEqualTo(new KvEventSubscriptions.Endpoints("tcp://10.0.0.2:6000", "tcp://10.9.9.9:7001"));
        assertThat(KvEventSubscriptions.resolve(properties, engine("templated", "10.0.0.3", null)))
                .isEqualTo(new KvEventSubscriptions.Endpoints("tcp://10.0.0.3:5557", "tcp://10.0.0.3:5558"));
        assertThat(KvEventSubscriptions.resolve(properties("tcp://{host}:5557", "", Map.of(), Map.of()),
                engine("no-replay", "10.0.0.4", null)))
                .isEqualTo(new KvEventSubscriptions.Endpoints("tcp://10.0.0.4:5557", null));
    }

    @Test
    void anAnnotationMayNameTheReplayEndpointToo() {
        KvEventsProperties properties = properties("tcp://{host}:5557", "tcp://{host}:5558", Map.of(),
                Map.of("configured", "tcp://10.9.9.9:7001"));

        assertThat(KvEventSubscriptions.resolve(properties, engine("both", "10.0.0.5",
                "tcp://10.0.0.5:6000,tcp://10.0.0.5:6001")))
                .isEqualTo(new KvEventSubscriptions.Endpoints("tcp://10.0.0.5:6000", "tcp://10.0.0.5:6001"));
        assertThat(KvEventSubscriptions.resolve(properties, engine("configured", "10.0.0.6",
                "tcp://10.0.0.6:6000,tcp://10.0.0.6:6001")))
                .isEqualTo(new KvEventSubscriptions.Endpoints("tcp://10.0.0.6:6000", "tcp://10.9.9.9:7001"));
        assertThatThrownBy(() -> KvEventSubscriptions.resolve(properties, engine("bad", "10.0.0.7",
                "tcp://10.0.0.7:6000,udp://x")))
                .hasMessageContaining("pod annotation").hasMessageContaining("udp://x");
    }

    @Test
    void malformedEndpointsAreRefusedWithTheirSource() {
        Engine engine = engine("e", "10.0.0.1", null);
        assertThatThrownBy(() -> KvEventSubscriptions.resolve(properties("tcp://{host}:5557", "tcp://{host}:5558",
                Map.of("e", "http://10.0.0.1:5557"), Map.of()), engine))
                .hasMessageContaining("router.kv-events.endpoints[e]").hasMessageContaining("tcp://host:port");
        assertThatThrownBy(() -> KvEventSubscriptions.resolve(properties("tcp://{host}:5557", "tcp://{host}:99999",
                Map.of(), Map.of()), engine))
                .hasMessageContaining("replay-endpoint-template").hasMessageContaining("port 99999");
        assertThatThrownBy(() -> KvEventSubscriptions.resolve(properties("", "", Map.of(), Map.of()), engine))
                .hasMessageContaining("endpoint-template");
    }

    @Test
    void anEngineWithAMalformedEndpointIsLeftApproximateAndOthersAreSubscribed() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (KvEventSubscriptions subscriptions = new KvEventSubscriptions(properties("tcp://{host}:5557", "",
                Map.of("bad", "tcp://nowhere"), Map.of()), new RecordingSink(), registry)) {
            fleet.addListener(subscriptions);
            engine("bad", "127.0.0.1", null);
            engine("good", "127.0.0.1", null);

            assertThat(subscriptions.subscribedEngines()).containsExactly("good");
            assertThat(threadAlive("kv-events-bad")).isFalse();
        }
        await().atMost(WAIT).until(() -> !threadAlive("kv-events-good"));
    }

    @Test
    void subscriptionsFollowTheFleet() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        RecordingSink sink = new RecordingSink();
        try (TestKvEventPublisher first = new TestKvEventPublisher("");
                TestKvEventPublisher second = new TestKvEventPublisher("");
                KvEventSubscriptions subscriptions = new KvEventSubscriptions(properties("tcp://{host}:5557", "",
                        Map.of(), Map.of()), sink, registry)) {
            fleet.addListener(subscriptions);
            engine("a", "127.0.0.1", first.endpoint());
            engine("b", "127.0.0.1", second.endpoint());
            first.awaitSubscriber(WAIT);
            second.awaitSubscriber(WAIT);
            first.publish(0, batch(0));
            second.publish(10, batch(10));
            await().atMost(WAIT).untilAsserted(() -> assertThat(sink.calls).contains("batch a 0", "batch b 10"));
            assertThat(subscriptions.subscribedEngines()).containsExactly("a", "b");

            fleet.remove("a");

            await().atMost(WAIT).until(() -> !threadAlive("kv-events-a"));
            assertThat(sink.calls).endsWith("live a false", "forget a");
            assertThat(subscriptions.subscribedEngines()).containsExactly("b");
            assertThat(registry.find("router.kv.events.received").tag("engine", "a").meters()).isEmpty();
            assertThat(registry.find("router.kv.events.received").tag("engine", "b").meters()).hasSize(1);

            engine("a", "127.0.0.1", first.endpoint());
            first.awaitSubscriber(WAIT);
            first.publish(1, batch(1));
            await().atMost(WAIT).untilAsserted(() -> assertThat(sink.calls).contains("batch a 1"));
            assertThat(registry.get("router.kv.events.received").tag("engine", "a").counter().count())
                    .isEqualTo(1);
        }
        assertThat(threadAlive("kv-events-a") || threadAlive("kv-events-b")).isFalse();
    }
}
