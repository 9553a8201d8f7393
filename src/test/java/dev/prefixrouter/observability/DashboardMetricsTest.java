package dev.prefixrouter.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.prometheus.ParsedScrape;
import dev.prefixrouter.prometheus.PrometheusTextParser;
import dev.prefixrouter.prometheus.Sample;
import dev.prefixrouter.sim.Fault;
import dev.prefixrouter.sim.KvCacheEngineModel;
import dev.prefixrouter.sim.KvCacheModelConfig;
import dev.prefixrouter.sim.KvEventsConfig;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Every query of the Grafana dashboard names metrics that exist: a router with simulated vLLM engines serves
 * streaming and whole answers, a request for a model nobody serves and one that every engine refuses (so that the
 * retry counter, registered on first use, exists too); then every metric each query selects must appear in the
 * router's {@code /actuator/prometheus} or an engine's {@code /metrics}, and every label it matches or groups on
 * must be on that metric or be one Prometheus adds when it scrapes.
 */
@RouterTest
class DashboardMetricsTest {

    /**
     * Labels Prometheus attaches to every series it scrapes rather than the target exporting them: {@code job} and
     * {@code instance} always, {@code namespace} and {@code pod} from Kubernetes service discovery (a PodMonitor,
     * or the usual scrape config for annotated pods).
     */
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance", "namespace", "pod");

    private static final Duration FAST = Duration.ofMillis(1);
    private static final SimulatedFleet fleet = new SimulatedFleet();

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        // The two engines that serve publish KV-cache events, so the precise-routing panels have their meters.
        registry.add("router.kv-events.enabled", () -> "true");
        for (int i = 0; i < 2; i++) {
            fleet.start("m", new KvCacheEngineModel(KvCacheModelConfig.defaults(), KvEventsConfig.loopback()));
        }
        fleet.start("refused", FAST, FAST).fault(Fault.UNAVAILABLE);
        fleet.start("refused", FAST, FAST).fault(Fault.UNAVAILABLE);
        fleet.register(registry);
    }

    @AfterAll
    static void stopEngines() {
        fleet.close();
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    Fleet routerFleet;

    @Test
    void everyQueryReadsMetricsAndLabelsThatTheRouterOrAnEngineExports() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 4);
        sendTraffic(Http.client(port));

        Map<String, Set<String>> exported = new HashMap<>();
        collect(exported, scrape(Http.client(managementPort), "/actuator/prometheus"));
        collect(exported, scrape(Http.client(fleet.get(0).port()), "/metrics"));

        List<String> problems = new ArrayList<>();
        for (GrafanaDashboard.Query query : GrafanaDashboard.load().queries()) {
            PromQlReferences refs = PromQlReferences.of(query.expr());
            for (String metric : refs.metrics()) {
                Set<String> labels = exported.get(metric);
                if (labels == null) {
                    problems.add(query.source() + " reads " + metric + ", which neither the router nor an engine"
                            + " exports");
                    continue;
                }
                Set<String> used = new HashSet<>(refs.labels().get(metric));
                query.valuesOf().ifPresent(used::add);
                for (String label : used) {
                    if (!labels.contains(label) && !TARGET_LABELS.contains(label)) {
                        problems.add(query.source() + " uses label " + label + " of " + metric + ", which has "
                                + labels);
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    /** Streamed and whole answers, a model no engine serves (404), and a request every engine refuses (503). */
    private static void sendTraffic(WebTestClient api) {
        String shared = "You are a careful assistant for the operations team. ".repeat(6);
        for (int i = 0; i < 2; i++) {
            chat(api, Http.chat("m", shared + "Question " + i, false, 4)).expectStatus().isOk();
            chat(api, Http.chat("m", shared + "Stream " + i, true, 4)).expectStatus().isOk()
                    .expectBody(String.class).value(body -> assertThat(body).endsWith("data: [DONE]\n\n"));
        }
        chat(api, Http.chat("nobody-serves-this", "hi", false, 1)).expectStatus().isNotFound();
        chat(api, Http.chat("refused", "hi", false, 1)).expectStatus().isEqualTo(503);
    }

    private static WebTestClient.ResponseSpec chat(WebTestClient api, String body) {
        return api.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange();
    }

    private static ParsedScrape scrape(WebTestClient client, String path) {
        String text = client.get().uri(path).accept(MediaType.TEXT_PLAIN).exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        ParsedScrape scrape = new PrometheusTextParser().parse(text);
        assertThat(scrape.skippedLines()).as(path + " parses: " + scrape.firstSkippedLine()).isZero();
        return scrape;
    }

    /** Each sample name with the union of the label names its series carry. */
    private static void collect(Map<String, Set<String>> exported, ParsedScrape scrape) {
        for (Sample sample : scrape.samples()) {
            exported.computeIfAbsent(sample.name(), name -> new HashSet<>()).addAll(sample.labels().keySet());
        }
    }
}
