package dev.prefixrouter.kvevents;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks {@link PreciseIndex}'s internal invariants by walking its tables slowly. */
final class IndexInvariants {

    private IndexInvariants() {
    }

    static void check(PreciseIndex index) {
        index.inspect(state -> {
            assertThat(state.accountedBytes()).as("accounted bytes").isLessThanOrEqualTo(state.maxBytes);
            KeyTable keys = state.keys;
            EngineHashTable maps = state.mappings;
            assertThat(keys.keys).hasSize(keys.capacity);
            assertThat(maps.engineHashes).hasSize(maps.capacity);
            assertThat(keys.size * 4L).as("key load").isLessThanOrEqualTo(keys.capacity * 3L);
            assertThat(maps.size * 4L).as("mapping load").isLessThanOrEqualTo(maps.capacity * 3L);
            java.util.Map<Long, Long> mappedEngines = new java.util.HashMap<>(); // router key -> engines mapping to it
            for (int s = 0; s < maps.capacity; s++) {
                if (maps.occupied(s)) {
                    mappedEngines.merge(maps.routerKeys[s], 1L << maps.engine(s), (x, y) -> x | y);
                }
            }
            long[] blocks = new long[IndexState.MAX_ENGINES];
            int occupied = 0;
            for (int s = 0; s < keys.capacity; s++) {
                if (!keys.occupied(s)) {
                    continue;
                }
                occupied++;
                assertThat(keys.find(keys.keys[s])).as("key at %d is reachable", s).isEqualTo(s);
                assertThat(keys.held[s] | keys.spec[s]).as("key at %d is held or guessed", s).isNotZero();
                for (long h = keys.held[s]; h != 0; h &= h - 1) {
                    int engine = Long.numberOfTrailingZeros(h);
                    blocks[engine]++;
                    assertThat((mappedEngines.getOrDefault(keys.keys[s], 0L) & (1L << engine)) != 0)
                            .as("engine %d's credit on key %d has a mapping", engine, keys.keys[s]).isTrue();
                }
            }
            assertThat(occupied).isEqualTo(keys.size);
            assertThat(state.blocks).as("blocks per engine").containsExactly(blocks);
            int mapped = 0;
            for (int s = 0; s < maps.capacity; s++) {
                if (maps.occupied(s)) {
                    mapped++;
                    assertThat(maps.find(maps.engine(s), maps.engineHashes[s])).as("mapping at %d", s).isEqualTo(s);
                }
            }
            assertThat(mapped).isEqualTo(maps.size);
            return null;
        });
    }

    /** The longest run of occupied slots, wrapping: linear probing's cost, which must stay short. */
    static int longestRun(ProbeTable table) {
        int longest = 0;
        int run = 0;
        for (int s = 0; s < 2 * table.capacity && longest < table.capacity; s++) {
            run = table.occupied(s % table.capacity) ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        return longest;
    }

    /** Whether the index credits the engine with the key now, by the tables directly. */
    static boolean credits(PreciseIndex index, int engine, long key, long nowNanos) {
        return index.inspect(state -> credits(state, engine, key, nowNanos));
    }

    /** The same, under the lock already. */
    static boolean credits(IndexState state, int engine, long key, long nowNanos) {
        int s = state.keys.find(KeyTable.normalize(key));
        if (s < 0) {
            return false;
        }
        long bits = state.keys.held[s] | state.liveSpeculation(s, nowNanos);
        return (bits & (1L << engine)) != 0;
    }
}
