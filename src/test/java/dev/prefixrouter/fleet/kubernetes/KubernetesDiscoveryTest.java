package dev.prefixrouter.fleet.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetListener;
import dev.prefixrouter.sim.EngineModel;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.SimRequest;
import dev.prefixrouter.sim.TokenEvent;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.KubernetesApiServer;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Kubernetes discovery end to end: the router watches a loopback API server (fabric8's mock in CRUD mode) whose
 * pods point at simulated engines on loopback, each pod's engine port in its {@code prefix-router/port} annotation.
 * Each test uses its own pods, engines and model names; pods are deleted after each.
 */
@RouterTest(properties = {
        "router.discovery.type=kubernetes",
        "router.discovery.kubernetes.namespace=" + KubernetesDiscoveryTest.NAMESPACE,
        "router.discovery.kubernetes.label-selector=app=vllm",
        "router.discovery.kubernetes.model-label=model",
        "router.routing.policy=round-robin"})
class KubernetesDiscoveryTest {

    static final String NAMESPACE = "inference";

    private static final KubernetesApiServer kubernetes = new KubernetesApiServer(NAMESPACE);
    private static final SimulatedFleet engines = new SimulatedFleet();

    @DynamicPropertySource
    static void cluster(DynamicPropertyRegistry registry) {
        kubernetes.start();
        registry.add("router.discovery.kubernetes.api-server-url", kubernetes::url);
        SimulatedFleet.fastHealthChecks(registry);
    }

    @AfterAll
    static void stopCluster() {
        kubernetes.close();
        engines.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    Fleet routerFleet;

    WebTestClient client;

    private final List<String> removed = new CopyOnWriteArrayList<>();
    private final FleetListener removals = new FleetListener() {
        @Override
        public void engineRemoved(Engine engine) {
            removed.add(engine.id());
        }
    };

    @BeforeEach
    void setUp() {
        client = Http.client(port);
        routerFleet.addListener(removals);
    }

    @AfterEach
    void deletePods() {
        kubernetes.deleteAllPods();
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.engines().isEmpty());
    }

    @Test
    void podJoinsTheFleetOnlyOnceReady() {
        EngineSimulator engine = engines.start("ready-model", Duration.ZERO, Duration.ZERO);
        kubernetes.createEnginePod("engine-starting", engine.port(), "ready-model", false);
        // Events arrive in order: once a later pod has joined, the informer has seen the unready one too.
        EngineSimulator marker = engines.start("marker-model", Duration.ZERO, Duration.ZERO);
        kubernetes.createEnginePod("marker", marker.port(), "marker-model", true);
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.find("marker").isPresent());

        assertThat(routerFleet.find("engine-starting")).isEmpty();
        expectModelNotFound("ready-model");

        kubernetes.setReady("engine-starting", true);
        awaitHealthy("engine-starting");
        assertThat(routerFleet.find("engine-starting").orElseThrow().url())
                .hasToString("http://127.0.0.1:" + engine.port());
        chat("ready-model").expectStatus().isOk();
        assertThat(engine.requestsCompleted()).isEqualTo(1);

        kubernetes.setReady("engine-starting", false);
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.find("engine-starting").isEmpty());
        expectModelNotFound("ready-model");
    }

    @Test
    void deletedPodLeavesAndTrafficGoesToTheOthers() {
        EngineSimulator first = engines.start("shared-model", Duration.ZERO, Duration.ZERO);
        EngineSimulator second = engines.start("shared-model", Duration.ZERO, Duration.ZERO);
        kubernetes.createEnginePod("shared-0", first.port(), "shared-model", true);
        kubernetes.createEnginePod("shared-1", second.port(), "shared-model", true);
        awaitHealthy("shared-0");
        awaitHealthy("shared-1");

        kubernetes.delete("shared-0");
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.find("shared-0").isEmpty());
        assertThat(removed).contains("shared-0");

        long servedByFirst = first.requestsReceived();
        for (int i = 0; i < 4; i++) {
            chat("shared-model").expectStatus().isOk();
        }
        assertThat(first.requestsReceived()).isEqualTo(servedByFirst);
        assertThat(second.requestsCompleted()).isEqualTo(4);
    }

    @Test
    void relabelledPodServesTheNewModelAndNotTheOld() {
        // The engine was restarted with another model; the operator relabels its pod to match.
        EngineSimulator engine = engines.start("model-new", Duration.ZERO, Duration.ZERO);
        kubernetes.createEnginePod("relabelled", engine.port(), "model-old", true);
        awaitHealthy("relabelled");
        assertThat(routerFleet.find("relabelled").orElseThrow().models()).containsExactly("model-old");

        kubernetes.setLabel("relabelled", "model", "model-new");
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.find("relabelled")
                .filter(registered -> registered.healthy() && registered.serves("model-new")).isPresent());

        chat("model-new").expectStatus().isOk();
        expectModelNotFound("model-old");
        assertThat(removed).contains("relabelled");
    }

    @Test
    void podThatStopsMatchingTheSelectorLeaves() {
        EngineSimulator engine = engines.start("drifting-model", Duration.ZERO, Duration.ZERO);
        kubernetes.createEnginePod("drifting", engine.port(), "drifting-model", true);
        awaitHealthy("drifting");

        kubernetes.setLabel("drifting", KubernetesApiServer.ENGINE_LABEL, "something-else");
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.find("drifting").isEmpty());
        expectModelNotFound("drifting-model");
    }

    @Test
    void streamInFlightToADeletedPodCompletes() {
        GatedModel gated = new GatedModel();
        EngineSimulator engine = engines.start("streaming-model", gated);
        kubernetes.createEnginePod("streaming", engine.port(), "streaming-model", true);
        awaitHealthy("streaming");

        Sinks.Many<String> received = Sinks.many().replay().all();
        WebClient.create("http://127.0.0.1:" + port).post().uri("/v1/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"streaming-model\",\"stream\":true,\"max_tokens\":5,\"prompt\":\"go on\"}")
                .retrieve()
                .bodyToFlux(String.class)
                .subscribe(received::tryEmitNext, received::tryEmitError, received::tryEmitComplete);
        // The first token is through the router: the request is in flight. Now the pod goes away.
        received.asFlux().next().block(Duration.ofSeconds(10));
        kubernetes.delete("streaming");
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.find("streaming").isEmpty());

        gated.open();
        List<String> events = received.asFlux().collectList().block(Duration.ofSeconds(10));
        assertThat(events).hasSize(5 + 1).last().isEqualTo("[DONE]");
        assertThat(events).noneMatch(event -> event.contains("\"error\""));
        assertThat(engine.requestsCompleted()).isEqualTo(1);
    }

    private void awaitHealthy(String pod) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> routerFleet.find(pod).map(Engine::healthy).orElse(false));
    }

    private WebTestClient.ResponseSpec chat(String model) {
        return client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Http.chat(model, "Hello", false, 2))
                .exchange();
    }

    private void expectModelNotFound(String model) {
        chat(model).expectStatus().isNotFound()
                .expectBody().jsonPath("$.error.code").isEqualTo("model_not_found");
    }

    /** Emits the first token at once and the rest only when opened, so a test can act mid-stream. */
    private static final class GatedModel implements EngineModel {

        private final Sinks.Empty<Void> gate = Sinks.empty();

        @Override
        public Flux<TokenEvent> generate(SimRequest request) {
            int promptTokens = request.promptTokens();
            return Flux.range(0, request.maxTokens())
                    .concatMap(index -> index == 0 ? Flux.just(index) : gate.asMono().thenReturn(index))
                    .map(index -> new TokenEvent(index, promptTokens, 0));
        }

        void open() {
            gate.tryEmitEmpty();
        }
    }
}
