package dev.prefixrouter.proxy;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.observability.AttemptSpan;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Sends requests to engines over pooled HTTP/1.1 connections (Reactor Netty, sharing the server's event loops).
 * The body goes out as the client sent it; headers are copied except hop-by-hop ones ({@link HopByHopHeaders},
 * those the client's {@code Connection} names included), forwarding headers are written for this hop
 * ({@link ForwardedHeaders}), and the engine's API key, when configured, replaces the client's credentials. With
 * client API keys on, the client's {@code Authorization} never gets this far (the security filter removed it);
 * with them off it is forwarded as sent, unless the engine's key replaces it.
 */
@Component
class UpstreamClient implements DisposableBean {

    private final ConnectionProvider connections;
    private final HttpClient http;
    private final TrustedProxies trustedProxies;

    UpstreamClient(ProxyProperties properties) {
        this.trustedProxies = TrustedProxies.parse(properties.trustedProxies());
        this.connections = ConnectionProvider.builder("upstream")
                .maxConnections(properties.maxConnectionsPerBackend())
                .pendingAcquireMaxCount(properties.maxPendingAcquires())
                .pendingAcquireTimeout(properties.pendingAcquireTimeout())
                .maxIdleTime(properties.maxIdleTime())
                .evictInBackground(Duration.ofSeconds(10))
                .build();
        this.http = HttpClient.create(connections)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, properties.connectTimeout().toMillis()))
                .compress(false)
                .followRedirect(false)
                .keepAlive(true);
    }

    /**
     * Sends the request, with the attempt's trace context; completes with the response once its status and headers
     * arrived. {@code written} runs when the engine has the whole body.
     */
    Mono<UpstreamResponse> send(Engine engine, ProxyRequest request, ClientExchange client, AttemptSpan span,
            Runnable written) {
        return http.request(request.method())
                .uri(engine.resolve(request.path()))
                .send((outbound, out) -> {
                    HttpHeaders headers = outbound.requestHeaders();
                    copyRequestHeaders(client, headers);
                    if (!headers.contains(HttpHeaderNames.CONTENT_TYPE) && request.body().length() > 0) {
                        headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                    }
                    headers.set(HttpHeaderNames.CONTENT_LENGTH, request.body().length());
                    headers.set("X-Request-Id", request.requestId());
                    span.inject(headers);
                    if (engine.apiKey() != null) {
                        headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + engine.apiKey());
                    }
                    RequestBody body = request.body();
                    return out.send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body.bytes(), 0, body.length())))
                            .then().doOnSuccess(done -> written.run());
                })
                .responseConnection((response, connection) -> Mono.just(new UpstreamResponse(response, connection)))
                .single();
    }

    private void copyRequestHeaders(ClientExchange client, HttpHeaders target) {
        HttpHeaders headers = client.headers();
        Set<String> nominated = HopByHopHeaders.nominatedBy(headers.getAll(HttpHeaderNames.CONNECTION));
        boolean authorization = client.authorizationForwarded();
        for (Map.Entry<String, String> header : headers) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!HopByHopHeaders.skipOnRequest(name, nominated) && !ForwardedHeaders.isForwardingHeader(name)
                    && (authorization || !name.equals("authorization"))) {
                target.add(header.getKey(), header.getValue());
            }
        }
        InetSocketAddress remote = client.remoteAddress();
        boolean trusted = remote != null && trustedProxies.contains(remote.getAddress());
        ForwardedHeaders.write(client, nominated, trusted, target);
    }

    @Override
    public void destroy() {
        connections.dispose();
    }
}
