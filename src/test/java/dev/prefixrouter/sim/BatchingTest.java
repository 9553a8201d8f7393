package dev.prefixrouter.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Continuous batching, stepped by hand on engine time: queueing, chunked prefill, preemption, cancellation. */
class BatchingTest {

    private static final double STEP = 0.008;
    private static final double PER_DECODE = 0.00025;
    private static final double PREFILL_RATE = 10_000;

    private KvCacheEngineModel model = KvCacheEngineModel.manual(KvCacheModelConfig.defaults());
    private final List<String> journal = new ArrayList<>();

    @AfterEach
    void close() {
        model.close();
    }

    @Test
    void emitsTheFirstTokenWhenPrefillCompletesThenOnePerDecodeStep() {
        TokenRecorder request = start("a", Prompts.blocks("a", 4), 5);

        model.stepper().step();
        assertThat(request.events).hasSize(1);
        model.stepper().runUntilIdle(100);

        assertThat(request.events).extracting(TokenEvent::index).containsExactly(0, 1, 2, 3, 4);
        assertThat(request.completed).isTrue();
        assertThat(model.core().metrics().generationTokens()).isEqualTo(5);
        assertThat(model.core().metrics().promptTokens()).isEqualTo(64);
    }

    @Test
    void waitsInArrivalOrderBeyondMaxNumSeqs() {
        model = KvCacheEngineModel.manual(KvCacheModelConfig.defaults().withMaxNumSeqs(2));
        start("a", "first prompt", 3);
        start("b", "second prompt", 3);
        start("c", "third prompt", 3);

        model.stepper().step();
        assertThat(model.core().metrics().running()).isEqualTo(2);
        assertThat(model.core().metrics().waiting()).isEqualTo(1);
        model.stepper().runUntilIdle(100);

        assertThat(journal.indexOf("c:0")).isGreaterThan(journal.indexOf("a:done"));
        assertThat(journal).containsSubsequence("a:0", "a:1", "a:2", "a:done", "c:0", "c:1", "c:2", "c:done");
    }

    @Test
    void chunksALongPrefillByTheStepBudget() {
        TokenRecorder request = start("long", "x".repeat(20_000 * 4), 1); // 20,000 tokens, budget 8192

        assertThat(model.stepper().runUntilIdle(100)).isEqualTo(3);

        assertThat(request.completed).isTrue();
        assertThat(model.stepper().now()).isCloseTo(3 * STEP + 20_000 / PREFILL_RATE, within(1e-9));
    }

    @Test
    void aCacheHitShortensTheTimeToFirstToken() {
        String prompt = Prompts.blocksAndTail("doc", 125, 0); // 2000 tokens
        start("cold", prompt, 1);
        model.stepper().runUntilIdle(10);
        double coldTtft = model.core().metrics().timeToFirstToken.snapshot().sum();

        start("warm", prompt, 1);
        model.stepper().runUntilIdle(10);
        double warmTtft = model.core().metrics().timeToFirstToken.snapshot().sum() - coldTtft;

        assertThat(coldTtft).isCloseTo(STEP + 2000 / PREFILL_RATE, within(1e-9));
        assertThat(warmTtft).isCloseTo(STEP + 16 / PREFILL_RATE, within(1e-9)); // only the last block
        assertThat(warmTtft).isLessThan(coldTtft / 10);
    }

    @Test
    void timeToFirstTokenIncludesTheQueueWait() {
        model = KvCacheEngineModel.manual(KvCacheModelConfig.defaults().withMaxNumSeqs(1));
        start("a", "x".repeat(400), 2); // 100 tokens
        start("b", "y".repeat(400), 1);
        model.stepper().runUntilIdle(10);

        EngineMetrics metrics = model.core().metrics();
        double aPrefill = STEP + 100 / PREFILL_RATE;
        double aDecode = STEP + PER_DECODE;
        assertThat(metrics.requestQueueTime.snapshot().sum()).isCloseTo(aPrefill + aDecode, within(1e-9));
        assertThat(metrics.timeToFirstToken.snapshot().sum())
                .isCloseTo(aPrefill + (aPrefill + aDecode + aPrefill), within(1e-9));
        assertThat(metrics.e2eRequestLatency.snapshot().sum())
                .isCloseTo(aPrefill + aDecode + (aPrefill + aDecode + aPrefill), within(1e-9));
    }

    @Test
    void interTokenLatencyGrowsWithTheBatch() {
        start("solo", "solo", 11);
        model.stepper().runUntilIdle(100);
        LatencyHistogram.Snapshot solo = model.core().metrics().interTokenLatency.snapshot();
        assertThat(solo.count()).isEqualTo(10);
        assertThat(solo.sum() / solo.count()).isCloseTo(STEP + PER_DECODE, within(1e-9));

        IntStream.range(0, 64).forEach(i -> start("r" + i, "prompt " + i, 11));
        model.stepper().runUntilIdle(100);
        LatencyHistogram.Snapshot all = model.core().metrics().interTokenLatency.snapshot();
        double batchedMean = (all.sum() - solo.sum()) / (all.count() - solo.count());

        assertThat(batchedMean).isCloseTo(STEP + 64 * PER_DECODE, within(1e-9));
    }

    @Test
    void preemptsTheNewestRequestWhenDecodeRunsOutOfBlocks() {
        model = KvCacheEngineModel.manual(KvCacheModelConfig.defaults().withNumGpuBlocks(6));
        TokenRecorder older = start("old", Prompts.blocks("old", 2), 40); // 32 + 39 tokens: 5 blocks at the end
        TokenRecorder newer = start("new", Prompts.blocks("new", 2), 40);
        boolean sawNewerWaiting = false;

        while (model.stepper().step()) {
            model.core().pool().checkInvariants();
            sawNewerWaiting |= model.core().metrics().waiting() == 1;
        }

        assertThat(model.core().metrics().preemptions()).isPositive();
        assertThat(sawNewerWaiting).isTrue();
        for (TokenRecorder request : List.of(older, newer)) {
            assertThat(request.completed).isTrue();
            assertThat(request.events).extracting(TokenEvent::index)
                    .containsExactlyElementsOf(IntStream.range(0, 40).boxed().toList());
            assertThat(request.events).allSatisfy(event -> assertThat(event.cachedPromptTokens()).isZero());
        }
        assertThat(journal.indexOf("new:39")).as("the newer one was set back").isGreaterThan(
                journal.indexOf("old:done"));
        assertThat(model.core().metrics().generationTokens()).isEqualTo(80);
    }

    @Test
    void cancellingReleasesBlocksAndLeavesTheQueue() {
        model = KvCacheEngineModel.manual(KvCacheModelConfig.defaults().withMaxNumSeqs(1));
        String prompt = Prompts.blocks("held", 3);
        TokenRecorder running = start("running", prompt, 1000);
        TokenRecorder queued = start("queued", "queued prompt", 5);
        model.stepper().step();
        assertThat(model.core().metrics().kvCacheUsage()).isPositive();

        queued.cancel();
        model.stepper().step();
        assertThat(model.core().metrics().waiting()).isZero();

        running.cancel();
        assertThat(model.stepper().step()).isFalse();
        EngineMetrics metrics = model.core().metrics();
        assertThat(metrics.running()).isZero();
        assertThat(metrics.kvCacheUsage()).isZero();
        assertThat(model.core().pool().numFree()).isEqualTo(model.config().numGpuBlocks());
        assertThat(model.cachedPrefixTokens(prompt)).as("released blocks stay cached").isEqualTo(48);
        assertThat(queued.events).isEmpty();
        assertThat(metrics.e2eRequestLatency.snapshot().count()).isZero();
    }

    @Test
    void rejectsARequestLargerThanTheWholeCache() {
        model = KvCacheEngineModel.manual(KvCacheModelConfig.defaults().withNumGpuBlocks(4)); // 64 tokens

        StepVerifier.create(model.generate(new SimRequest("x".repeat(200), 20)))
                .expectErrorMessage("a prompt of 50 tokens with max_tokens 20 needs 69 tokens of KV cache;"
                        + " this engine holds 64")
                .verify();
        TokenRecorder fitsExactly = start("fits", "x".repeat(200), 15);
        model.stepper().runUntilIdle(100);
        assertThat(fitsExactly.error).isNull();
        assertThat(fitsExactly.events).hasSize(15);
    }

    @Test
    void closingFailsWhatIsStillInTheEngine() {
        TokenRecorder request = start("a", "prompt", 100);
        model.stepper().step();

        model.close();

        assertThat(request.error).isInstanceOf(IllegalStateException.class).hasMessage("engine model closed");
        StepVerifier.create(model.generate(new SimRequest("later", 1)))
                .expectErrorMessage("engine model closed")
                .verify();
    }

    private TokenRecorder start(String name, String prompt, int maxTokens) {
        return new TokenRecorder(name, model.generate(new SimRequest(prompt, maxTokens)), journal);
    }
}
