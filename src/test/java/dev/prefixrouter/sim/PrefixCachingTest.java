package dev.prefixrouter.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Automatic prefix caching, stepped by hand: hits, longest prefixes, LRU eviction and the read-only oracle. */
class PrefixCachingTest {

    private KvCacheEngineModel model = KvCacheEngineModel.manual(KvCacheModelConfig.defaults());

    @AfterEach
    void close() {
        model.close();
    }

    @Test
    void theSecondIdenticalPromptHitsItsFullBlocks() {
        String prompt = Prompts.blocksAndTail("doc", 3, 10); // 51 tokens: 3 full blocks and a partial one

        TokenRecorder first = run(prompt, 4);
        assertThat(model.cachedPrefixTokens(prompt)).isEqualTo(48);
        TokenRecorder second = run(prompt, 4);

        assertThat(first.events).allSatisfy(event -> assertThat(event.cachedPromptTokens()).isZero());
        assertThat(second.events).hasSize(4)
                .allSatisfy(event -> assertThat(event.cachedPromptTokens()).isEqualTo(48))
                .allSatisfy(event -> assertThat(event.promptTokens()).isEqualTo(51));
        EngineMetrics metrics = model.core().metrics();
        assertThat(metrics.prefixCacheQueries()).isEqualTo(102);
        assertThat(metrics.prefixCacheHits()).isEqualTo(48);
    }

    @Test
    void aFullyCachedPromptStillComputesItsLastBlock() {
        String prompt = Prompts.blocks("exact", 2); // 32 tokens, both blocks full

        run(prompt, 1);
        TokenRecorder again = run(prompt, 1);

        assertThat(model.cachedPrefixTokens(prompt)).isEqualTo(32);
        assertThat(again.cachedPromptTokens()).isEqualTo(16); // the last token's logits must be computed
    }

    @Test
    void aSharedSystemPromptIsTheLongestPrefixHit() {
        String system = Prompts.blocks("system", 2);
        run(system + Prompts.blocksAndTail("alice", 2, 5), 2);

        TokenRecorder bob = run(system + Prompts.blocksAndTail("bob", 2, 5), 2);

        assertThat(bob.cachedPromptTokens()).isEqualTo(32);
        assertThat(model.cachedPrefixTokens(system + Prompts.blocks("carol", 3))).isEqualTo(32);
    }

    @Test
    void theSameTextAfterADifferentPrefixDoesNotHit() {
        run(Prompts.blocks("x", 1) + Prompts.blocksAndTail("shared", 2, 1), 1);

        TokenRecorder other = run(Prompts.blocks("z", 1) + Prompts.blocksAndTail("shared", 2, 1), 1);

        assertThat(other.cachedPromptTokens()).isZero();
    }

    @Test
    void capacityPressureEvictsTheLeastRecentlyUsedUnheldBlocks() {
        model = KvCacheEngineModel.manual(KvCacheModelConfig.defaults().withNumGpuBlocks(8));
        String a = Prompts.blocksAndTail("a", 3, 4); // 4 blocks each, generating one token needs no more
        String b = Prompts.blocksAndTail("b", 3, 4);
        run(a, 1);
        run(b, 1);
        assertThat(model.cachedPrefixTokens(a)).isEqualTo(48);
        assertThat(model.cachedPrefixTokens(b)).isEqualTo(48);

        run(Prompts.blocksAndTail("c", 3, 4), 1);

        assertThat(model.cachedPrefixTokens(a)).as("the least recently used is gone").isZero();
        assertThat(model.cachedPrefixTokens(b)).isEqualTo(48);
        assertThat(run(a, 1).cachedPromptTokens()).isZero();
    }

    @Test
    void evictionTakesARequestsTailBeforeItsHead() {
        model = KvCacheEngineModel.manual(KvCacheModelConfig.defaults().withNumGpuBlocks(8));
        String a = Prompts.blocksAndTail("a", 3, 4);
        run(a, 1);
        run(Prompts.blocksAndTail("b", 3, 4), 1);

        run(Prompts.blocksAndTail("c", 0, 60), 1); // 15 tokens: one block, A's partial tail goes first
        assertThat(model.cachedPrefixTokens(a)).isEqualTo(48);
        run(Prompts.blocksAndTail("d", 0, 60), 1); // then A's last full block
        assertThat(model.cachedPrefixTokens(a)).isEqualTo(32);
    }

    @Test
    void aHitRefreshesRecencyButTheOracleDoesNot() {
        model = KvCacheEngineModel.manual(KvCacheModelConfig.defaults().withNumGpuBlocks(8));
        String a = Prompts.blocksAndTail("a", 3, 4);
        String b = Prompts.blocksAndTail("b", 3, 4);
        run(a, 1);
        run(b, 1);
        int[] orderBefore = model.core().pool().evictionOrder();

        for (int i = 0; i < 100; i++) {
            assertThat(model.cachedPrefixTokens(a)).isEqualTo(48);
        }
        assertThat(model.core().pool().evictionOrder()).containsExactly(orderBefore);

        run(a, 1); // a real hit: A becomes the most recently used
        run(Prompts.blocksAndTail("c", 3, 4), 1);
        assertThat(model.cachedPrefixTokens(a)).isEqualTo(48);
        assertThat(model.cachedPrefixTokens(b)).isZero();
    }

    @Test
    void blocksOfARunningRequestAreNeverEvicted() {
        model = KvCacheEngineModel.manual(KvCacheModelConfig.defaults().withNumGpuBlocks(8));
        String a = Prompts.blocksAndTail("a", 4, 4); // 65 tokens + 9 generated: 5 blocks for its whole life
        TokenRecorder running = new TokenRecorder("a", model.generate(new SimRequest(a, 10)));
        model.stepper().step();
        TokenRecorder waiting = new TokenRecorder("b", model.generate(new SimRequest(
                Prompts.blocksAndTail("b", 4, 4), 2)));

        for (int i = 0; i < 5; i++) {
            model.stepper().step();
            model.core().pool().checkInvariants();
            assertThat(model.core().metrics().waiting()).as("B needs 5 blocks, 3 are free").isEqualTo(1);
            assertThat(model.cachedPrefixTokens(a)).isEqualTo(64);
        }
        assertThat(waiting.events).isEmpty();

        model.stepper().runUntilIdle(100);
        assertThat(running.events).hasSize(10);
        assertThat(waiting.completed).isTrue();
        assertThat(model.cachedPrefixTokens(a)).as("B took 3 fresh blocks and A's tail").isEqualTo(48);
    }

    private TokenRecorder run(String prompt, int maxTokens) {
        TokenRecorder recorder = new TokenRecorder(prompt.substring(0, 1), model.generate(
                new SimRequest(prompt, maxTokens)));
        model.stepper().runUntilIdle(10_000);
        model.core().pool().checkInvariants();
        assertThat(recorder.completed).isTrue();
        assertThat(recorder.events).hasSize(maxTokens);
        return recorder;
    }
}
