package dev.prefixrouter.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random sequences of arrivals, cancellations and steps over shared prefixes, on small caches and batches so
 * that eviction, queueing and preemption all happen. After every step the cache and scheduler invariants hold;
 * at the end every request has either completed with all its tokens in order or stopped where it was
 * cancelled, and every block is free again.
 */
class RandomOperationsTest {

    private static final String[] SHARED_PREFIXES = {
        Prompts.blocks("system-a", 3), Prompts.blocks("system-b", 2), Prompts.blocks("system-c", 5), ""};

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void invariantsHoldUnderRandomOperations(long seed) {
        Random random = new Random(seed);
        int maxNumSeqs = 1 + random.nextInt(8);
        KvCacheModelConfig config = KvCacheModelConfig.defaults()
                .withNumGpuBlocks(8 + random.nextInt(40))
                .withMaxNumSeqs(maxNumSeqs)
                .withMaxNumBatchedTokens(Math.max(maxNumSeqs, 16 + random.nextInt(256)));
        List<Generation> generations = new ArrayList<>();

        try (KvCacheEngineModel model = KvCacheEngineModel.manual(config)) {
            for (int op = 0; op < 400; op++) {
                int dice = random.nextInt(100);
                if (dice < 35) {
                    generations.add(submit(model, random, generations.size()));
                } else if (dice < 45 && !generations.isEmpty()) {
                    generations.get(random.nextInt(generations.size())).cancel();
                } else {
                    model.stepper().step();
                    model.core().checkInvariants();
                }
            }
            model.stepper().runUntilIdle(100_000);
            model.core().checkInvariants();

            assertThat(model.core().pool().numFree()).isEqualTo(config.numGpuBlocks());
            assertThat(model.core().metrics().running()).isZero();
            assertThat(model.core().metrics().waiting()).isZero();
            long emitted = 0;
            for (Generation generation : generations) {
                generation.checkOutcome();
                emitted += generation.recorder.events.size();
            }
            assertThat(model.core().metrics().generationTokens()).isEqualTo(emitted);
        }
    }

    private static Generation submit(KvCacheEngineModel model, Random random, int id) {
        String prompt = SHARED_PREFIXES[random.nextInt(SHARED_PREFIXES.length)]
                + Prompts.blocksAndTail("user" + random.nextInt(6), random.nextInt(3), random.nextInt(64));
        int maxTokens = 1 + random.nextInt(40);
        return new Generation(new TokenRecorder("r" + id, model.generate(new SimRequest(prompt, maxTokens))),
                maxTokens);
    }

    private static final class Generation {

        final TokenRecorder recorder;
        final int maxTokens;
        boolean cancelled;

        Generation(TokenRecorder recorder, int maxTokens) {
            this.recorder = recorder;
            this.maxTokens = maxTokens;
        }

        void cancel() {
            cancelled = !recorder.completed && recorder.error == null;
            recorder.cancel();
        }

        void checkOutcome() {
            List<Integer> indexes = recorder.events.stream().map(TokenEvent::index).toList();
            for (int i = 0; i < indexes.size(); i++) {
                assertThat(indexes.get(i)).as("token order of " + recorder.name).isEqualTo(i);
            }
            if (recorder.error != null) {
                assertThat(recorder.error).as(recorder.name).isInstanceOf(IllegalArgumentException.class);
                assertThat(indexes).isEmpty();
            } else if (!cancelled) {
                assertThat(recorder.completed).as(recorder.name + " completed").isTrue();
                assertThat(indexes).hasSize(maxTokens);
            }
        }
    }
}
