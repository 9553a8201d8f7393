package dev.prefixrouter.kvevents;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Lets event-loop threads wait for {@link PreciseIndex}'s lock: every critical section is bounded (one lookup per
 * prompt block for held, {@link PreciseIndex#KEYS_PER_HOLD} keys for speculate, a fixed slot batch for forget), so
 * a brief spin, then park, is the intended behaviour rather than blocking I/O. Allowed inside that one method only;
 * registered through {@code META-INF/services}.
 */
public final class KvIndexBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside(PreciseIndex.class.getName(), "lock");
    }
}
