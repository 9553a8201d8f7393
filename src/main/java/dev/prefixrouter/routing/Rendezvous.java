package dev.prefixrouter.routing;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import dev.prefixrouter.fleet.Engine;

/**
 * Rendezvous (highest-random-weight) hashing: each (key, engine) pair gets a score and the highest wins, so a key
 * keeps its engine when unrelated engines join or leave, and every router replica computes the same answer from
 * the same engine ids without sharing state. The seed is fixed for that reason.
 */
final class Rendezvous {

    private static final Hasher64 HASH = Hashing.xxh3_64(0x70726566_69787274L);

    private Rendezvous() {
    }

    static long keyHash(CharSequence key) {
        return HASH.hashCharsToLong(key);
    }

    static long score(long keyHash, Engine engine) {
        return HASH.hashLongLongToLong(keyHash, HASH.hashCharsToLong(engine.id()));
    }
}
