package dev.prefixrouter.admission;

import static dev.prefixrouter.config.PropertyChecks.requirePositive;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * What a request may hold of the router, {@code router.limits.*}: its body, the memory all admitted requests hold
 * together, how long and how many may wait for room, and how slow a client may be.
 *
 * @param maxBodySize           largest request body accepted; larger ones get 413 before they are read
 * @param maxBufferedBytes      budget for the bytes admitted requests hold (their bodies and the routing key made
 *                              from them), from the first byte read until the body is released; unset: a quarter
 *                              of the maximum heap
 * @param admissionTimeout      how long a request may wait for room in that budget before it is refused with 503
 * @param maxWaitingRequests    requests that may wait for room at once; more are refused at once with 503
 * @param maxConcurrentRequests requests admitted at once (reading, routing or being forwarded), 0 for no limit
 * @param retryAfter            the {@code Retry-After} sent with an overload refusal
 * @param bodyReadTimeout       longest pause while a request body is being received; the connection is closed.
 *                              Longer than {@code admission-timeout}: a waiting request's body is not read
 * @param idleTimeout           a keep-alive connection with no request for this long is closed
 */
@Validated
@ConfigurationProperties("router.limits")
public record LimitsProperties(
        @NotNull @DefaultValue("16MB") DataSize maxBodySize,
        DataSize maxBufferedBytes,
        @NotNull @DefaultValue("5s") Duration admissionTimeout,
        @DefaultValue("256") int maxWaitingRequests,
        @DefaultValue("0") int maxConcurrentRequests,
        @NotNull @DefaultValue("1s") Duration retryAfter,
        @NotNull @DefaultValue("30s") Duration bodyReadTimeout,
        @NotNull @DefaultValue("60s") Duration idleTimeout) {

    public LimitsProperties {
        if (maxBufferedBytes == null) {
            maxBufferedBytes = DataSize.ofBytes(Runtime.getRuntime().maxMemory() / 4);
        }
        if (maxBodySize != null && maxBodySize.toBytes() < 1) {
            throw new IllegalArgumentException("router.limits.max-body-size must be positive, was " + maxBodySize);
        }
        if (maxBufferedBytes.toBytes() < 1) {
            throw new IllegalArgumentException("router.limits.max-buffered-bytes must be positive, was "
                    + maxBufferedBytes);
        }
        if (maxWaitingRequests < 0) {
            throw new IllegalArgumentException("router.limits.max-waiting-requests must not be negative, was "
                    + maxWaitingRequests);
        }
        if (maxConcurrentRequests < 0) {
            throw new IllegalArgumentException("router.limits.max-concurrent-requests must not be negative (0: no"
                    + " limit), was " + maxConcurrentRequests);
        }
        requirePositive(admissionTimeout, "router.limits.admission-timeout");
        requirePositive(retryAfter, "router.limits.retry-after");
        requirePositive(bodyReadTimeout, "router.limits.body-read-timeout");
        requirePositive(idleTimeout, "router.limits.idle-timeout");
        if (admissionTimeout != null && bodyReadTimeout != null && bodyReadTimeout.compareTo(admissionTimeout) <= 0) {
            throw new IllegalArgumentException("router.limits.body-read-timeout (" + bodyReadTimeout + ") must be"
                    + " longer than router.limits.admission-timeout (" + admissionTimeout + "): a request waiting"
                    + " for admission reads no body, so a shorter read timeout would cut it off");
        }
    }
}
