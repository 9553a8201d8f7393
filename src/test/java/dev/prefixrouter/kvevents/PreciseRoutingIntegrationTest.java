package dev.prefixrouter.kvevents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.KvCacheEngineModel;
import dev.prefixrouter.sim.KvCacheModelConfig;
import dev.prefixrouter.sim.KvEventsConfig;
import dev.prefixrouter.sim.KvEventsEncoding;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The precise policy end to end: three simulated engines that publish vLLM's KV-cache events, a router subscribed
 * to them. Prompts are planted on engines behind the router's back (sent to an engine directly), so only the
 * engines' own events can tell the router where they are; the approximate index alone would guess.
 */
@RouterTest(properties = {"router.routing.policy=precise", "router.kv-events.enabled=true",
        "router.engine-stats.interval=200ms", "router.management.write-token=test-write-token"})
class PreciseRoutingIntegrationTest {

    private static final int ENGINES = 3;
    /** 512 blocks of 16 tokens of 4 characters: 32 K characters of KV cache per engine. */
    private static final int BLOCKS = 512;
    private static final SimulatedFleet fleet = new SimulatedFleet();
    private static final List<KvCacheEngineModel> models = new java.util.ArrayList<>();
    private static final Duration WAIT = Duration.ofSeconds(10);

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        for (int i = 0; i < ENGINES; i++) {
            // Each engine speaks one of the encodings vLLM versions use: all arrays, all maps, arrays of maps.
            KvEventsConfig events = KvEventsConfig.loopback().withEncoding(KvEventsEncoding.values()[i]);
            KvCacheEngineModel model = new KvCacheEngineModel(KvCacheModelConfig.defaults().withNumGpuBlocks(BLOCKS),
                    events);
            models.add(model);
            fleet.start("m", model);
        }
        fleet.register(registry); // with each engine's KV-event endpoints
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

    @Autowired
    EventApplier events;

    @Autowired
    MeterRegistry registry;

    WebTestClient api;

    @BeforeEach
    void awaitFleet() {
        api = Http.client(port);
        await().atMost(WAIT).until(() -> routerFleet.healthyCount() == ENGINES);
    }

    private static String system(String topic) {
        return ("You are the assistant for " + topic + ". Answer in one short paragraph, cite the manual. ")
                .repeat(40); // about 3.6 K characters: 56 blocks
    }

    private static String chat(String system, String question) {
        return "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"system\",\"content\":\"" + system
                + "\"},{\"role\":\"user\",\"content\":\"" + question + "\"}]}";
    }

    /** Sends straight to engine {@code i}, behind the router's back. */
    private static void direct(int i, String body) {
        WebClient.create(fleet.get(i).baseUrl()).post().uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).retrieve().toBodilessEntity()
                .block(WAIT);
    }

    private void routed(String body) {
        api.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange().expectStatus().isOk();
    }

    /** Which engine the router sent {@code body} to. */
    private int routedTo(String body) {
        long[] before = received();
        routed(body);
        long[] after = received();
        for (int i = 0; i < ENGINES; i++) {
            if (after[i] == before[i] + 1) {
                return i;
            }
        }
        throw new AssertionError("no engine received the request");
    }

    private static long[] received() {
        return fleet.engines().stream().mapToLong(EngineSimulator::requestsReceived).toArray();
    }

    private EngineEventStats stats(int engine) {
        return events.stats().stream().filter(s -> s.engine().equals("engine-" + engine)).findFirst().orElseThrow();
    }

    private long blocks(int engine) {
        return events.index().stats().engines().stream().filter(e -> e.engine().equals("engine-" + engine))
                .mapToLong(PreciseIndexStats.EngineBlocks::blocks).sum();
    }

    @Test
    void aPrefixGoesToTheEngineThatReportsHoldingIt() {
        for (int i = 0; i < ENGINES; i++) {
            long storedBefore = stats(i).storedBlocks();
            direct(i, chat(system("shop " + i), "Planted."));
            int engine = i;
            await().atMost(WAIT).until(() -> stats(engine).storedBlocks() >= storedBefore + 50);
        }
        // Approximately, these are new prompts: load and rendezvous hashing would place them, right one time in 3.
        for (int i = 0; i < ENGINES; i++) {
            assertThat(routedTo(chat(system("shop " + i), "Where is my order?"))).as("prompt planted on %d", i)
                    .isEqualTo(i);
        }
    }

    /**
     * Engine {@code first} drops its cache and the next engine gets {@code body} behind the router's back; returns
     * that engine once both have reported it.
     */
    private int movedBehindTheRoutersBack(int first, String body) {
        WebClient.create(fleet.get(first).baseUrl()).post().uri("/reset_prefix_cache").retrieve()
                .toBodilessEntity().block(WAIT);
        await().atMost(WAIT).until(() -> blocks(first) == 0);
        int other = (first + 1) % ENGINES;
        direct(other, body);
        await().atMost(WAIT).until(() -> blocks(other) >= 50);
        return other;
    }

    @Test
    void aPrefixTheEngineDroppedStopsAttractingRequests() {
        String body = chat(system("garden tools"), "How do I sharpen shears?");
        int first = routedTo(body);
        assertThat(routedTo(chat(system("garden tools"), "And a hoe?"))).isEqualTo(first);
        await().atMost(WAIT).until(() -> blocks(first) >= 50);

        int other = movedBehindTheRoutersBack(first, body);

        // The approximate index still credits the first engine; the engines' reports say otherwise.
        assertThat(routedTo(chat(system("garden tools"), "And a rake?"))).isEqualTo(other);
    }

    private double tokenizerCount(String name, String result) {
        return registry.find(name).tag("result", result).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void aConversationsNextTurnGoesByItsEarlierTurnsToTheEngineThatStillHoldsThem() {
        String system = system("camera repair");
        String firstTurn = chat(system, "The lens is stuck.");
        int first = routedTo(firstTurn);
        await().atMost(WAIT).until(() -> blocks(first) >= 50);
        int other = movedBehindTheRoutersBack(first, firstTurn);
        double byEarlierTurns = tokenizerCount("router.kv.tokenizer.cache.requests", "earlier_turns");
        double refreshed = tokenizerCount("router.kv.tokenizer.refreshes", "cached");

        String secondTurn = "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"system\",\"content\":\""
                + system + "\"},{\"role\":\"user\",\"content\":\"The lens is stuck.\"},{\"role\":\"assistant\","
                + "\"content\":\"Turn it off and on.\"},{\"role\":\"user\",\"content\":\"It still is.\"}]}";

        assertThat(routedTo(secondTurn)).as("not the engine that reported dropping the earlier turns")
                .isEqualTo(other);
        assertThat(tokenizerCount("router.kv.tokenizer.cache.requests", "earlier_turns"))
                .as("routed by the first turn's tokens, not waiting for the tokenizer").isEqualTo(byEarlierTurns + 1);
        await().atMost(WAIT).until(() -> tokenizerCount("router.kv.tokenizer.refreshes", "cached") == refreshed + 1);
    }

    @Test
    void evictedBlocksAreUncreditedExactly() {
        String body = chat(system("bicycle repair"), "Brakes squeal.");
        int holder = routedTo(body);
        await().atMost(WAIT).until(() -> blocks(holder) >= 50);
        long removedBefore = stats(holder).removedBlocks();

        // Fill the holder's cache with other prompts (each ~3.6 K characters, 32 K fit) until it evicts ours.
        for (int i = 0; i < 12; i++) {
            direct(holder, chat(system("filler " + i), "Fill."));
        }
        await().atMost(WAIT).until(() -> stats(holder).removedBlocks() > removedBefore);
        int other = (holder + 2) % ENGINES;
        direct(other, body);
        await().atMost(WAIT).until(() -> stats(other).storedBlocks() > 0 && blocks(other) >= 50);

        assertThat(routedTo(chat(system("bicycle repair"), "Chain slips."))).isEqualTo(other);
        assertThat(blocks(holder)).isLessThanOrEqualTo(BLOCKS);
    }

    @Test
    void aLostBatchIsReplayed() {
        double replays = registry.find("router.kv.events.replays").tag("engine", "engine-1").tag("outcome", "ok")
                .counters().stream().mapToDouble(c -> c.count()).sum();
        // The planting step's batch goes to the replay buffer only: the router misses it live.
        models.get(1).loseNextKvEventBatches(1); // a chat of one token: one batch (its prefill step)
        String body = chat(system("lost batch"), "Planted.");
        direct(1, body);
        // The next batch reveals the gap; the router asks the replay socket for what it missed.
        direct(1, chat(system("next batch " + System.nanoTime()), "Reveal."));
        await().atMost(WAIT).until(() -> registry.find("router.kv.events.replays").tag("engine", "engine-1")
                .tag("outcome", "ok").counters().stream().mapToDouble(c -> c.count()).sum() > replays);

        assertThat(routedTo(chat(system("lost batch"), "Where is it?"))).isEqualTo(1);
    }

    @Test
    void anEngineRestartIsForgotten() {
        direct(0, chat(system("restart drill"), "Before."));
        await().atMost(WAIT).until(() -> blocks(0) >= 50);
        double forgotten = forgotten("engine-0");

        fleet.get(0).restartKvEvents().block(WAIT);
        // The restarted engine's first batch starts its sequence again: the router forgets what it reported.
        // (A subscriber reconnecting to a restarted publisher may miss its first messages: ZMQ's slow joiner.)
        int[] n = {0};
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            direct(0, "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\""
                    + ("after restart " + n[0]++ + " ").repeat(10) + "\"}]}");
            return forgotten("engine-0") > forgotten;
        });
        await().atMost(WAIT).until(() -> blocks(0) < 50);
    }

    @Test
    void theHashTrieEndpointShowsBothIndexes() {
        Map<String, Object> trie = Http.client(managementPort).get().uri("/actuator/hashtrie").exchange()
                .expectStatus().isOk().expectBody(new ParameterizedTypeReference<Map<String, Object>>() { })
                .returnResult().getResponseBody();
        assertThat(trie).containsKeys("nodes", "precise");
        @SuppressWarnings("unchecked")
        Map<String, Object> precise = (Map<String, Object>) trie.get("precise");
        assertThat(((Number) precise.get("bytes")).longValue())
                .isLessThanOrEqualTo(((Number) precise.get("budgetBytes")).longValue());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> engines = (List<Map<String, Object>>) precise.get("engines");
        assertThat(engines).isNotEmpty().allSatisfy(e -> assertThat(e.get("engine").toString()).startsWith("engine-"));
    }

    private double forgotten(String engine) {
        return registry.find("router.kv.events.forgotten").tag("engine", engine).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }
}
