package dev.prefixrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.Fault;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The retry rules and fault accounting, against engines that fail in each way an engine can: reset after taking
 * the whole request, die after a stream's headers, never send a stream's headers, answer 429, answer 500 for the
 * request's content. Each model has its own engines; round-robin alternates the first choice between the two of
 * a pair, so of two requests in a row exactly one meets the faulty engine first.
 */
@RouterTest(properties = {"router.routing.policy=round-robin", "router.proxy.first-byte-timeout=500ms",
        "router.proxy.response-timeout=1s", "router.proxy.non-streaming-timeout=5s",
        "router.outlier-ejection.consecutive-failures=1", "router.outlier-ejection.base-ejection-time=1ms"})
class EngineFaultsTest {

    private static final Duration FAST = Duration.ofMillis(1);
    private static final SimulatedFleet fleet = new SimulatedFleet();
    private static EngineSimulator resetting;
    private static EngineSimulator headersThenDeath;
    private static EngineSimulator silent;
    private static EngineSimulator limited;
    private static EngineSimulator badInput;
    private static List<EngineSimulator> poison;

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        resetting = fleet.start("reset", FAST, FAST);
        fleet.start("reset", FAST, FAST);
        headersThenDeath = fleet.start("die-after-headers", FAST, FAST);
        fleet.start("die-after-headers", FAST, FAST);
        silent = fleet.start("silent", FAST, FAST);
        fleet.start("silent", FAST, FAST);
        limited = fleet.start("limited", FAST, FAST);
        fleet.start("limited", FAST, FAST);
        badInput = fleet.start("bad-input", FAST, FAST);
        fleet.start("slow-whole", Duration.ofMillis(2000), FAST);
        poison = List.of(fleet.start("poison", FAST, FAST), fleet.start("poison", FAST, FAST),
                fleet.start("poison", FAST, FAST));
        fleet.register(registry);
        registry.add("router.health-check.interval", () -> "1h"); // only the proxy's own handling is at work
    }

    @AfterAll
    static void stopEngines() {
        fleet.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    Fleet routerFleet;

    @Autowired
    MeterRegistry meters;

    WebTestClient client;

    @BeforeEach
    void awaitFleet() {
        client = Http.client(port);
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == fleet.engines().size());
    }

    private WebTestClient.ResponseSpec chat(String model, boolean stream) {
        return client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Http.chat(model, "hello", stream, 3)).exchange();
    }

    /** Retries counted so far for {@code reason} (the tests share one router: compare before and after). */
    private double retries(String reason) {
        var counter = meters.find("router.retries").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void anEngineThatResetsAfterTakingTheWholeRequestIsRetriedOnce() {
        resetting.fault(Fault.RESET);
        double before = retries("engine_failed_after_accepting");
        chat("reset", false).expectStatus().isOk();
        chat("reset", false).expectStatus().isOk();
        assertThat(resetting.requestsReceived()).isEqualTo(1);
        assertThat(retries("engine_failed_after_accepting") - before).isEqualTo(1);
    }

    @Test
    void aRequestThatCrashesEveryEngineItReachesRunsOnAtMostTwo() {
        poison.forEach(engine -> engine.fault(Fault.RESET));
        chat("poison", false).expectStatus().isEqualTo(502)
                .expectBody().jsonPath("$.error.code").isEqualTo("upstream_unreachable");
        assertThat(poison.stream().mapToLong(EngineSimulator::requestsReceived).sum())
                .as("the first engine and one retry, not all three").isEqualTo(2);
    }

    @Test
    void aStreamWhoseEngineDiesAfterItsHeadersIsRetriedBeforeAnythingReachedTheClient() {
        headersThenDeath.fault(Fault.DIE_AFTER_HEADERS);
        for (int i = 0; i < 2; i++) {
            String body = chat("die-after-headers", true).expectStatus().isOk()
                    .expectBody(String.class).returnResult().getResponseBody();
            assertThat(body).endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");
        }
        assertThat(headersThenDeath.requestsReceived()).isEqualTo(1);
    }

    @Test
    void aStreamWithoutHeadersWithinTheFirstByteTimeoutGoesToTheNextEngine() {
        silent.fault(Fault.HANG);
        double before = retries("first_byte_timeout");
        long start = System.nanoTime();
        for (int i = 0; i < 2; i++) {
            assertThat(chat("silent", true).expectStatus().isOk().expectBody(String.class).returnResult()
                    .getResponseBody()).endsWith("data: [DONE]\n\n");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(silent.requestsReceived()).isEqualTo(1);
        assertThat(retries("first_byte_timeout") - before).isEqualTo(1);
    }

    @Test
    void a429IsRetriedFreelyAndIsNoEngineFault() {
        limited.fault(Fault.TOO_MANY_REQUESTS);
        chat("limited", false).expectStatus().isOk();
        chat("limited", false).expectStatus().isOk();
        assertThat(limited.requestsReceived()).isEqualTo(1);
        assertThat(engine(limited).inRotation(System.nanoTime())).isTrue();
        assertThat(engine(limited).outlierState().ejections()).isZero();
    }

    @Test
    void a500CausedByTheRequestIsRelayedAndEjectsNobody() {
        badInput.fault(Fault.BAD_INPUT_500);
        chat("bad-input", false).expectStatus().isEqualTo(500)
                .expectBody().jsonPath("$.error.type").isEqualTo("InternalServerError");
        Engine engine = engine(badInput);
        assertThat(engine.outlierState().ejections()).as("one failure ejects here, but a 500 is no fault").isZero();
        assertThat(engine.inRotation(System.nanoTime())).isTrue();
        assertThat(badInput.requestsReceived()).isEqualTo(1);
    }

    @Test
    void aWholeAnswerHasItsOwnTimeoutLongerThanAStreamsPrefill() {
        // 2 s to the whole answer: past response-timeout (1 s, a stream's queue + prefill), within
        // non-streaming-timeout (5 s).
        chat("slow-whole", false).expectStatus().isOk();
    }

    private Engine engine(EngineSimulator simulator) {
        return routerFleet.engines().stream().filter(e -> e.url().toString().equals(simulator.baseUrl()))
                .findFirst().orElseThrow();
    }
}
