package dev.prefixrouter.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which events one engine step produces, stepped by hand so the cache's moves are exact: one batch per step, in the
 * order the pool applied them, consecutive evictions merged into one {@code BlockRemoved}.
 */
class KvEventsPerStepTest {

    private final KvEventsConfig events = KvEventsConfig.loopback();
    private final KvCacheEngineModel model =
            KvCacheEngineModel.manual(KvCacheModelConfig.defaults().withNumGpuBlocks(6), events);
    private final KvEventProbe probe = new KvEventProbe(events);

    @AfterEach
    void stop() {
        probe.close();
        model.close();
    }

    private static List<Long> hashes(String prompt) {
        return Arrays.stream(BlockHasher.fullBlockHashes(prompt, 16)).boxed().toList();
    }

    @Test
    void oneStepIsOneBatchAndEvictionsComeBeforeTheStoresThatReuseTheBlocks() {
        long seq = probe.join(() -> {
            model.resetPrefixCache().subscribe();
            model.stepper().step();
        }).seq();

        String a = Prompts.blocks("a", 1);
        String b = Prompts.blocksAndTail("b", 2, 10);
        model.generate(new SimRequest(a, 1)).subscribe();
        model.generate(new SimRequest(b, 1)).subscribe();
        model.stepper().runUntilIdle(10);
        KvEventProbe.Message both = probe.next();
        assertThat(both.seq()).isEqualTo(seq + 1);
        assertThat(both.batch().events()).extracting(WireEvent::type).containsExactly("BlockStored", "BlockStored");
        assertThat(both.batch().events().get(0).hashLongs()).isEqualTo(hashes(a));
        assertThat(both.batch().events().get(1).hashLongs()).isEqualTo(hashes(b));
        assertThat(both.batch().events().get(1).tokenIds()).hasSize(32);

        // 6 blocks: the free queue holds the 2 never-used blocks, then b's (tail first), then a's.
        String c = Prompts.blocks("c", 6);
        model.generate(new SimRequest(c, 1)).subscribe();
        model.stepper().runUntilIdle(10);
        KvEventProbe.Message evicting = probe.next();
        assertThat(evicting.seq()).isEqualTo(seq + 2);
        List<WireEvent> batch = evicting.batch().events();
        assertThat(batch).extracting(WireEvent::type).containsExactly("BlockRemoved", "BlockStored");
        assertThat(batch.get(0).hashLongs()).containsExactlyInAnyOrderElementsOf(
                java.util.stream.Stream.concat(hashes(a).stream(), hashes(b).stream()).toList());
        assertThat(batch.get(1).hashLongs()).isEqualTo(hashes(c));
        assertThat(batch.get(1).parent()).isNull();
        assertThat(probe.next(java.time.Duration.ofMillis(200))).as("idle steps publish nothing").isNull();
        model.core().checkInvariants();
    }
}
