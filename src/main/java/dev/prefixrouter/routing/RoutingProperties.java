package dev.prefixrouter.routing;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How requests are spread over the engines.
 *
 * @param policy        {@code prefix-aware}, {@code precise} (prefix-aware with the engines' own KV-cache events,
 *                      {@code router.kv-events.enabled}), {@code least-loaded}, {@code round-robin} or
 *                      {@code session}
 * @param sessionHeader request header that carries a session key (falls back to the body's {@code user})
 * @param prefix        the prefix-aware policy's cost model
 * @param responses     where stored Responses-API responses are
 */
@Validated
@ConfigurationProperties("router.routing")
public record RoutingProperties(
        @NotNull @DefaultValue("prefix-aware") PolicyName policy,
        @NotBlank @DefaultValue("x-session-id") String sessionHeader,
        @Valid @DefaultValue Prefix prefix,
        @Valid @DefaultValue Responses responses) {

    /**
     * The Responses API's stored responses.
     *
     * @param maxIds response ids whose engine the router remembers ({@link ResponseAffinity}), least recently used
     *               forgotten first; about 100 bytes each
     */
    public record Responses(@DefaultValue("100000") int maxIds) {

        public Responses {
            if (maxIds < 1) {
                throw new IllegalArgumentException("router.routing.responses.max-ids must be at least 1, was "
                        + maxIds);
            }
        }
    }

    /** The selectable policies; bound from their kebab-case names, e.g. {@code round-robin}. */
    public enum PolicyName {
        PREFIX_AWARE,
        PRECISE,
        LEAST_LOADED,
        ROUND_ROBIN,
        SESSION
    }

    /**
     * Knobs of the prefix-aware cost (in prompt characters of prefill work; see docs/routing.md).
     *
     * @param waitingRequestChars prefill work assumed for each request queued at an engine that this router did
     *                            not send (its size is unknown): about a 1k-token prompt
     * @param runningRequestChars slowdown each request running at an engine adds to a new request's prefill
     * @param tieToleranceChars   costs closer than this are ties, broken by rendezvous hashing of the first chunk
     * @param queueWeight         how much the work queued ahead of a request counts against recomputing its prompt:
     *                            below 1, a request waits longer for the engine that holds its prefix
     * @param reportedQueueWeight the same for the {@code precise} policy when every candidate reports its own cache
     *                            and none is idle: a reported hit is certain (a guessed one may be gone), and without
     *                            an idle engine a miss queues behind others and adds prefill to a fleet without slack
     */
    public record Prefix(
            @DefaultValue("4096") long waitingRequestChars,
            @DefaultValue("64") long runningRequestChars,
            @DefaultValue("512") long tieToleranceChars,
            @DefaultValue("0.5") double queueWeight,
            @DefaultValue("0.25") double reportedQueueWeight) {

        public Prefix {
            if (waitingRequestChars < 0 || runningRequestChars < 0) {
                throw new IllegalArgumentException("router.routing.prefix.waiting-request-chars and"
                        + " running-request-chars must not be negative");
            }
            if (!(queueWeight > 0) || queueWeight > 1000) {
                throw new IllegalArgumentException("router.routing.prefix.queue-weight must be in (0, 1000], was "
                        + queueWeight);
            }
            if (!(reportedQueueWeight > 0) || reportedQueueWeight > 1000) {
                throw new IllegalArgumentException("router.routing.prefix.reported-queue-weight must be in (0, 1000],"
                        + " was " + reportedQueueWeight);
            }
            if (tieToleranceChars < 1) {
                throw new IllegalArgumentException("router.routing.prefix.tie-tolerance-chars must be at least 1, was "
                        + tieToleranceChars);
            }
        }
    }
}
