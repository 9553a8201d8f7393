package dev.prefixrouter.proxy;

import static dev.prefixrouter.config.PropertyChecks.requirePositive;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How requests are forwarded to engines.
 *
 * @param connectTimeout           TCP connect timeout to an engine
 * @param firstByteTimeout         streaming requests: from sending to the engine's response headers. vLLM answers a
 *                                 stream's headers once it has queued the request, so silence means a stuck engine:
 *                                 the attempt is cancelled and the request goes to the next engine
 * @param responseTimeout          streaming requests: from sending to the first response body byte, i.e. queueing
 *                                 plus prefill, so long enough for the longest prompt at the busiest time
 * @param nonStreamingTimeout      non-streaming requests: from sending to the whole answer (vLLM sends nothing
 *                                 before it is done), so long enough for the longest generation
 * @param idleTimeout              longest gap allowed between two chunks of a response body once it has begun
 * @param maxAttempts              engines tried per request, the first included
 * @param retryAfterEngineAccepted once an engine has the whole request, a failure before anything reached the
 *                                 client is retried on the next engine {@code once} (per client request) or
 *                                 {@code never}: the engine may have started work, so a prompt that crashes engines
 *                                 costs at most two of them
 * @param maxConnectionsPerBackend requests holding a connection to one engine at once; requests beyond wait for
 *                                 one. Connections are pooled per event loop (a request's engine connection is
 *                                 served by the thread serving its client), so idle ones may number up to this
 *                                 per loop until {@code max-idle-time} closes them
 * @param maxPendingAcquires       requests that may wait for a connection to one engine; more go to the next
 *                                 ranked engine, and when every engine is this busy, the client gets 503
 * @param pendingAcquireTimeout    how long a request waits for a connection to one engine before trying the next
 * @param maxIdleTime              pooled connections idle longer are closed; keep it below the engine's keep-alive
 *                                 (uvicorn, which serves vLLM, closes idle connections after 5 s)
 * @param trustedProxies           peers (IPv4 / IPv6 addresses or CIDR blocks) whose {@code X-Forwarded-*} and
 *                                 {@code Forwarded} headers are kept and appended to; from any other peer they are
 *                                 replaced. Empty by default: no peer is trusted
 */
@Validated
@ConfigurationProperties("router.proxy")
public record ProxyProperties(
        @NotNull @DefaultValue("2s") Duration connectTimeout,
        @NotNull @DefaultValue("10s") Duration firstByteTimeout,
        @NotNull @DefaultValue("5m") Duration responseTimeout,
        @NotNull @DefaultValue("10m") Duration nonStreamingTimeout,
        @NotNull @DefaultValue("60s") Duration idleTimeout,
        @Min(1) @DefaultValue("3") int maxAttempts,
        @NotNull @DefaultValue("once") AcceptedRetry retryAfterEngineAccepted,
        @Min(1) @DefaultValue("1024") int maxConnectionsPerBackend,
        @Min(0) @DefaultValue("256") int maxPendingAcquires,
        @NotNull @DefaultValue("5s") Duration pendingAcquireTimeout,
        @NotNull @DefaultValue("4s") Duration maxIdleTime,
        @DefaultValue List<String> trustedProxies) {

    public ProxyProperties {
        requirePositive(connectTimeout, "router.proxy.connect-timeout");
        requirePositive(firstByteTimeout, "router.proxy.first-byte-timeout");
        requirePositive(responseTimeout, "router.proxy.response-timeout");
        requirePositive(nonStreamingTimeout, "router.proxy.non-streaming-timeout");
        requirePositive(idleTimeout, "router.proxy.idle-timeout");
        requirePositive(maxIdleTime, "router.proxy.max-idle-time");
        requirePositive(pendingAcquireTimeout, "router.proxy.pending-acquire-timeout");
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        TrustedProxies.parse(trustedProxies); // fails start-up on an entry that is not an address or block
    }

    /** Whether a request an engine already had whole may go to another engine. */
    public enum AcceptedRetry {
        ONCE,
        NEVER
    }
}
