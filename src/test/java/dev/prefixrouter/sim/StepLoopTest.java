package dev.prefixrouter.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * The model on its own step thread, in scaled real time. No assertion depends on how fast this host is: the
 * checks are on counts, order, cache state and thread state, with generous bounds for waiting.
 */
class StepLoopTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private KvCacheEngineModel model = new KvCacheEngineModel(KvCacheModelConfig.defaults().withTimeScale(1000));

    @AfterEach
    void close() {
        model.close();
    }

    @Test
    void streamsConcurrentRequestsToCompletionOnTheEngineThread() {
        StepVerifier.create(Flux.range(0, 3)
                        .flatMap(i -> model.generate(new SimRequest(Prompts.blocks("user" + i, 4), 20))
                                .map(TokenEvent::index)
                                .collectList())
                        .collectList())
                .assertNext(lists -> assertThat(lists).hasSize(3).allSatisfy(indexes ->
                        assertThat(indexes).isEqualTo(java.util.stream.IntStream.range(0, 20).boxed().toList())))
                .expectComplete()
                .verify(PATIENCE);

        assertThat(model.engineThread().getName()).startsWith("sim-engine");
        assertThat(model.core().metrics().generationTokens()).isEqualTo(60);
    }

    @Test
    void aRepeatedPromptHitsTheCache() {
        String prompt = Prompts.blocksAndTail("doc", 10, 3);

        StepVerifier.create(model.generate(new SimRequest(prompt, 2)).then()).expectComplete().verify(PATIENCE);
        StepVerifier.create(model.generate(new SimRequest(prompt, 2)))
                .assertNext(event -> assertThat(event.cachedPromptTokens()).isEqualTo(160))
                .expectNextCount(1)
                .expectComplete()
                .verify(PATIENCE);
        assertThat(model.cachedPrefixTokens(prompt)).isEqualTo(160);
    }

    @Test
    void goesIdleWithoutATimerWhenThereIsNoWork() {
        StepVerifier.create(model.generate(new SimRequest("hello", 5)))
                .expectNextCount(5)
                .expectComplete()
                .verify(PATIENCE);

        // WAITING, not TIMED_WAITING: the thread is parked with no step scheduled, so it is not spinning.
        Thread engineThread = model.engineThread();
        await().atMost(PATIENCE).until(() -> engineThread.getState() == Thread.State.WAITING);
        assertThat(model.core().metrics().running()).isZero();
    }

    @Test
    void cancellingReleasesTheRequestsBlocks() {
        model.close();
        model = new KvCacheEngineModel(KvCacheModelConfig.defaults()); // real time: this one cannot finish
        String prompt = Prompts.blocks("cancelled", 8);

        StepVerifier.create(model.generate(new SimRequest(prompt, 100_000)).take(3))
                .expectNextCount(3)
                .expectComplete()
                .verify(PATIENCE);

        EngineMetrics metrics = model.core().metrics();
        await().atMost(PATIENCE).until(() -> metrics.running() == 0 && metrics.kvCacheUsage() == 0);
        assertThat(metrics.e2eRequestLatency.snapshot().count()).as("aborted, not finished").isZero();
        assertThat(model.cachedPrefixTokens(prompt)).isEqualTo(128);
    }

    @Test
    void closingFailsTheRequestsInFlightAndStopsTheThread() {
        model.close();
        model = new KvCacheEngineModel(KvCacheModelConfig.defaults());
        StepVerifier.create(model.generate(new SimRequest("a long answer", 100_000)))
                .expectNextCount(1)
                .then(model::close)
                .thenConsumeWhile(event -> true)
                .expectErrorMessage("engine model closed")
                .verify(PATIENCE);

        Thread engineThread = model.engineThread();
        await().atMost(PATIENCE).until(() -> !engineThread.isAlive());
        StepVerifier.create(model.generate(new SimRequest("too late", 1)))
                .expectErrorMessage("engine model closed")
                .verify(PATIENCE);
    }

    @Test
    void oracleAndMetricsAreSafeToReadWhileTheEngineRuns() {
        String prompt = Prompts.blocks("shared", 6);
        Flux<List<TokenEvent>> load = Flux.range(0, 20)
                .flatMap(i -> model.generate(new SimRequest(prompt + Prompts.blocks("q" + i, 2), 30)).collectList());

        StepVerifier.create(load.count())
                .then(() -> {
                    for (int i = 0; i < 200; i++) {
                        // Blocks are published one by one while a step is scheduled: any whole-block prefix.
                        assertThat(model.cachedPrefixTokens(prompt)).isBetween(0, 96).matches(t -> t % 16 == 0);
                        PrometheusText.parse(model.metricsText("m"));
                    }
                })
                .expectNext(20L)
                .expectComplete()
                .verify(PATIENCE);
        assertThat(model.cachedPrefixTokens(prompt)).isEqualTo(96);
    }
}
