package dev.prefixrouter.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.support.Http;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A kv-cache simulator publishing events on loopback, read by a plain ZMQ subscriber and replay client, with
 * requests sent over HTTP: what a router's subscription will see.
 */
class KvEventsEndToEndTest {

    private EngineSimulator engine;
    private WebTestClient client;
    private KvEventProbe probe;

    private KvCacheEngineModel start(int numGpuBlocks, KvEventsConfig events) {
        KvCacheEngineModel model = new KvCacheEngineModel(KvCacheModelConfig.defaults().withNumGpuBlocks(numGpuBlocks)
                .withTimeScale(50), events);
        engine = EngineSimulator.start(EngineSimulator.Settings.loopback("m"), model);
        client = Http.client(engine.port());
        probe = new KvEventProbe(engine.kvEvents());
        return model;
    }

    @AfterEach
    void stop() {
        if (probe != null) {
            probe.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    private void post(String path, String body) {
        client.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isOk().expectBody().returnResult();
    }

    private void reset() {
        client.post().uri("/reset_prefix_cache").exchange().expectStatus().isOk();
    }

    private void complete(String prompt) {
        post("/v1/completions", "{\"model\":\"m\",\"max_tokens\":1,\"prompt\":\"" + prompt + "\"}");
    }

    /** Batches until {@code enough} says the collected events suffice; checks the sequence is contiguous. */
    private List<WireEvent> collect(long afterSeq, java.util.function.Predicate<List<WireEvent>> enough) {
        List<WireEvent> events = new ArrayList<>();
        long expected = afterSeq + 1;
        while (!enough.test(events)) {
            KvEventProbe.Message message = probe.next();
            assertThat(message.seq()).as("sequence numbers are contiguous").isEqualTo(expected++);
            events.addAll(message.batch().events());
        }
        return events;
    }

    @Test
    void blockStoredTokenIdsAreWhatTokenizeSaysForTheChatPromptsFullBlocks() {
        start(256, KvEventsConfig.loopback().withTopic("kv@m"));
        KvEventProbe.Message joined = probe.join(this::reset);
        assertThat(joined.topic()).isEqualTo("kv@m");
        assertThat(joined.batch().events()).extracting(WireEvent::type).containsExactly("AllBlocksCleared");

        String system = Prompts.blocks("sys", 3);
        String messages = "[{\"role\":\"system\",\"content\":\"" + system + "\"},"
                + "{\"role\":\"user\",\"content\":\"" + "What is a block? ".repeat(5) + "\"}]";
        post("/v1/chat/completions", "{\"model\":\"m\",\"max_tokens\":2,\"messages\":" + messages + "}");
        Map<String, Object> tokenized = client.post().uri("/tokenize").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"m\",\"add_generation_prompt\":true,\"messages\":" + messages + "}")
                .exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult()
                .getResponseBody();
        @SuppressWarnings("unchecked")
        List<Integer> ids = (List<Integer>) tokenized.get("tokens");
        String text = system + "\n" + "What is a block? ".repeat(5);
        assertThat(tokenized.get("count")).isEqualTo(ids.size()).isEqualTo(SimTokenizer.count(text));
        int fullBlocks = text.length() / Prompts.BLOCK_CHARS;
        assertThat(fullBlocks).isEqualTo(4);

        List<WireEvent> stored = collect(joined.seq(), events -> events.stream()
                .mapToInt(e -> e.hashes().size()).sum() >= fullBlocks);
        assertThat(stored).extracting(WireEvent::type).containsOnly("BlockStored");
        assertThat(stored.get(0).parent()).as("the first block has no parent").isNull();
        List<Integer> storedIds = new ArrayList<>();
        List<Long> storedHashes = new ArrayList<>();
        for (WireEvent event : stored) {
            assertThat(event.blockSize()).isEqualTo(16);
            assertThat(event.medium()).isEqualTo("GPU");
            assertThat(event.tokenIds()).hasSize(16 * event.hashes().size());
            if (!storedHashes.isEmpty()) {
                assertThat(event.parent().longValue()).isEqualTo(storedHashes.get(storedHashes.size() - 1));
            }
            storedIds.addAll(event.tokenIds());
            storedHashes.addAll(event.hashLongs());
        }
        assertThat(storedIds).isEqualTo(ids.subList(0, fullBlocks * 16));
        assertThat(storedHashes).containsExactlyElementsOf(
                java.util.Arrays.stream(BlockHasher.fullBlockHashes(text, 16)).boxed().toList());
    }

    @Test
    void evictionReportsExactlyTheEvictedHashesAndResetReportsAllBlocksCleared() {
        KvCacheEngineModel model = start(8, KvEventsConfig.loopback());
        long seq = probe.join(this::reset).seq();
        String a = Prompts.blocks("a", 4);
        long[] aHashes = BlockHasher.fullBlockHashes(a, 16);
        complete(a);
        List<WireEvent> storedA = collect(seq, events -> events.stream().mapToInt(e -> e.hashes().size()).sum() >= 4);
        seq += 1;
        assertThat(storedA).flatExtracting(WireEvent::hashLongs)
                .containsExactlyElementsOf(java.util.Arrays.stream(aHashes).boxed().toList());

        complete(Prompts.blocks("b", 6)); // 6 blocks of 8: two of a's four cached blocks must go
        List<WireEvent> next = collect(seq, events -> events.stream().anyMatch(e -> e.type().equals("BlockRemoved")));
        List<Long> removed = next.stream().filter(e -> e.type().equals("BlockRemoved"))
                .flatMap(e -> e.hashLongs().stream()).toList();
        List<Long> gone = java.util.Arrays.stream(aHashes)
                .filter(h -> model.core().pool().cachedBlock(h) < 0).boxed().toList();
        assertThat(removed).hasSize(2).containsExactlyInAnyOrderElementsOf(gone);
        assertThat(removed).allSatisfy(h -> assertThat(aHashes).contains(h));

        reset();
        KvEventProbe.Message cleared = probe.next();
        assertThat(cleared.batch().events()).extracting(WireEvent::type).containsExactly("AllBlocksCleared");
        assertThat(model.cachedPrefixTokens(a)).isZero();
        assertThat(model.core().pool().cachedBlocks()).isZero();
    }

    @Test
    void replayReturnsTheBufferedBatchesFromAStartSequenceThenTheEndMarker() {
        start(64, KvEventsConfig.loopback().withEncoding(KvEventsEncoding.MIXED));
        KvEventProbe.Message joined = probe.join(this::reset);
        complete(Prompts.blocks("r", 2));
        KvEventProbe.Message stored = probe.next();
        reset();
        KvEventProbe.Message cleared = probe.next();
        assertThat(cleared.seq()).isEqualTo(stored.seq() + 1).isEqualTo(joined.seq() + 2);

        List<KvEventProbe.Message> replayed = probe.replay(joined.seq());
        assertThat(replayed).extracting(KvEventProbe.Message::seq)
                .containsExactly(joined.seq(), stored.seq(), cleared.seq());
        assertThat(replayed.get(1).payload()).isEqualTo(stored.payload());
        assertThat(replayed.get(2).payload()).isEqualTo(cleared.payload());

        List<KvEventProbe.Message> all = probe.replay(0);
        assertThat(all).extracting(KvEventProbe.Message::seq)
                .as("every batch since start is buffered, numbered from 0 without gaps")
                .isEqualTo(java.util.stream.LongStream.rangeClosed(0, cleared.seq()).boxed().toList());
        assertThat(probe.replay(cleared.seq() + 1)).as("nothing after the last batch").isEmpty();
        assertThat(model().kvEventReplaysServed()).isEqualTo(3);
    }

    @Test
    void aLostBatchLeavesAGapThatReplayFills() {
        KvCacheEngineModel model = start(64, KvEventsConfig.loopback().withEncoding(KvEventsEncoding.MAP));
        long seq = probe.join(this::reset).seq();
        model.loseNextKvEventBatches(1);
        reset();
        reset();
        KvEventProbe.Message after = probe.next();
        assertThat(after.seq()).as("the lost batch is a gap").isEqualTo(seq + 2);
        List<KvEventProbe.Message> replayed = probe.replay(seq + 1);
        assertThat(replayed).extracting(KvEventProbe.Message::seq).containsExactly(seq + 1, seq + 2);
        assertThat(replayed.get(0).batch().events()).extracting(WireEvent::type).containsExactly("AllBlocksCleared");
    }

    @Test
    void aRestartedPublisherStartsAgainAtZeroOnTheSamePortsWithAnEmptyCache() {
        KvCacheEngineModel model = start(64, KvEventsConfig.loopback());
        long seq = probe.join(this::reset).seq();
        String prompt = Prompts.blocks("p", 3);
        complete(prompt);
        assertThat(probe.next().seq()).isEqualTo(++seq);
        for (int i = 0; i < 10; i++) {
            reset();
            assertThat(probe.next().seq()).isEqualTo(++seq);
        }
        complete(prompt);
        assertThat(probe.next().seq()).isEqualTo(++seq);
        assertThat(model.cachedPrefixTokens(prompt)).isEqualTo(48);

        model.restartKvEvents().block(Duration.ofSeconds(10));
        assertThat(model.cachedPrefixTokens(prompt)).as("a restarted engine has an empty cache").isZero();
        assertThat(probe.replay(0)).as("the replay buffer starts empty").isEmpty();
        // Joining pokes the engine until the subscription sees a batch; however many pokes ZMQ's redial takes, a
        // publisher numbering on from before the restart would have reached seq + pokes, one from zero pokes - 1.
        AtomicLong pokes = new AtomicLong();
        KvEventProbe.Message first = probe.join(() -> {
            pokes.incrementAndGet();
            reset();
        });
        assertThat(first.seq()).as("the sequence started again from zero").isLessThan(pokes.get());
        List<KvEventProbe.Message> replayed = probe.replay(0);
        assertThat(replayed.get(0).seq()).isZero();
        assertThat(replayed.get(replayed.size() - 1).seq()).isEqualTo(first.seq());
    }

    @Test
    void aWholeEngineStartedAgainOnTheSamePortsPublishesFromZero() {
        KvEventsConfig events = KvEventsConfig.loopback();
        start(64, events);
        probe.join(this::reset);
        int httpPort = engine.port();
        engine.close();
        engine = EngineSimulator.start(new EngineSimulator.Settings("127.0.0.1", httpPort, "m", 16),
                new KvCacheEngineModel(KvCacheModelConfig.defaults().withNumGpuBlocks(64).withTimeScale(50), events));
        client = Http.client(engine.port());
        assertThat(engine.kvEvents()).isEqualTo(events);
        probe.join(this::reset);
        assertThat(probe.replay(0).get(0).seq()).isZero();
    }

    private KvCacheEngineModel model() {
        return (KvCacheEngineModel) engine.model();
    }
}
