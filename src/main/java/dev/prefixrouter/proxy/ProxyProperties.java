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
 * @param responseTimeout          from sending a request to its first response body byte: queueing plus prefill,
 *                                 so long enough for the longest prompt at the busiest time
 * @param idleTimeout              longest gap allowed between two chunks of a response body once it has begun
 * @param maxAttempts              engines tried per request on connect failures and 503s, the first included
 * @param maxConnectionsPerBackend pooled connections per engine; requests beyond wait for one
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
        @NotNull @DefaultValue("5m") Duration responseTimeout,
        @NotNull @DefaultValue("60s") Duration idleTimeout,
        @Min(1) @DefaultValue("3") int maxAttempts,
        @Min(1) @DefaultValue("1024") int maxConnectionsPerBackend,
        @Min(0) @DefaultValue("256") int maxPendingAcquires,
        @NotNull @DefaultValue("5s") Duration pendingAcquireTimeout,
        @NotNull @DefaultValue("4s") Duration maxIdleTime,
        @DefaultValue List<String> trustedProxies) {

    public ProxyProperties {
        requirePositive(connectTimeout, "router.proxy.connect-timeout");
        requirePositive(responseTimeout, "router.proxy.response-timeout");
        requirePositive(idleTimeout, "router.proxy.idle-timeout");
        requirePositive(maxIdleTime, "router.proxy.max-idle-time");
        requirePositive(pendingAcquireTimeout, "router.proxy.pending-acquire-timeout");
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        TrustedProxies.parse(trustedProxies); // fails start-up on an entry that is not an address or block
    }
}
