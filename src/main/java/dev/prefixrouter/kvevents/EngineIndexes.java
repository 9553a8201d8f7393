package dev.prefixrouter.kvevents;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Engine ids to the bit each has in {@link PreciseIndex}'s masks, 0..63, and which engines are being forgotten.
 * Lookups by id are lock-free; everything else is guarded by the index's lock.
 */
final class EngineIndexes {

    private final ConcurrentHashMap<String, Integer> indexById = new ConcurrentHashMap<>();
    private final String[] idByIndex = new String[IndexState.MAX_ENGINES];
    /** Per engine, how many forgets are under way. */
    private final int[] forgetting = new int[IndexState.MAX_ENGINES];

    /** Lock-free. */
    int indexOf(String engineId) {
        Integer index = indexById.get(engineId);
        return index == null ? -1 : index;
    }

    /** The lowest free index for a new engine, or -1 if all are taken. */
    int assign(String engineId) {
        int known = indexOf(engineId);
        if (known >= 0) {
            return known;
        }
        for (int i = 0; i < idByIndex.length; i++) {
            if (idByIndex[i] == null) {
                idByIndex[i] = engineId;
                indexById.put(engineId, i);
                return i;
            }
        }
        return -1;
    }

    void release(String engineId, int engine) {
        if (engineId.equals(idByIndex[engine])) {
            idByIndex[engine] = null;
            indexById.remove(engineId, engine);
        }
    }

    /** The id at {@code engine}, or null. */
    String idOf(int engine) {
        return idByIndex[engine];
    }

    void forgetting(int engine, boolean started) {
        forgetting[engine] += started ? 1 : -1;
    }

    /** Registered and not being forgotten: its reports, guesses and credit count. */
    boolean isWritable(int engine) {
        return engine >= 0 && engine < IndexState.MAX_ENGINES && idByIndex[engine] != null
                && forgetting[engine] == 0;
    }
}
