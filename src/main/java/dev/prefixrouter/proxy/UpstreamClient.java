package dev.prefixrouter.proxy;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetListener;
import dev.prefixrouter.observability.AttemptSpan;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.NettyOutbound;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.resources.ConnectionProvider;
import reactor.util.context.Context;

/**
 * Sends requests to engines over pooled HTTP/1.1 connections (Reactor Netty, sharing the server's event loops),
 * with each engine's requests prepared once per event loop ({@link EngineRequests}) while it is in the fleet. A
 * request's engine connection comes from the pool of the event loop serving the client's connection; the pools
 * of one engine share its limits ({@link ConnectionPermits}), so each loop's pool may grow to the whole limit
 * (Reactor Netty's own waiting is never reached) and idle connections close after {@code max-idle-time}.
 * The body goes out as the client sent it; headers are copied except hop-by-hop ones ({@link HopByHopHeaders},
 * those the client's {@code Connection} names included), forwarding headers are written for this hop
 * ({@link ForwardedHeaders}), and the engine's API key, when configured, replaces the client's credentials. With
 * client API keys on, the client's {@code Authorization} never gets this far (the security filter removed it);
 * with them off it is forwarded as sent, unless the engine's key replaces it.
 */
@Component
class UpstreamClient implements DisposableBean, FleetListener {

    private final ConnectionProvider connections;
    private final HttpClient http;
    private final TrustedProxies trustedProxies;
    private final Map<Engine, EngineRequests> engines = new ConcurrentHashMap<>();
    private final Map<EventLoop, HttpClient> loops = new ConcurrentHashMap<>();
    private final BiFunction<HttpClientRequest, NettyOutbound, Publisher<Void>> send = this::write;
    private final ProxyProperties properties;

    UpstreamClient(ProxyProperties properties, Fleet fleet) {
        this.properties = properties;
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
        fleet.addListener(this);
    }

    @Override
    public void engineAdded(Engine engine) {
        engines.put(engine, requestsTo(engine));
    }

    @Override
    public void engineRemoved(Engine engine) {
        engines.remove(engine);
    }

    /**
     * Sends the request, with the attempt's trace context; completes with the response once its status and headers
     * arrived. {@code written} runs when the engine has the whole body. What to write travels in the subscriber's
     * context, so the prepared request (its send function included) serves every request to the engine.
     */
    Mono<UpstreamResponse> send(Engine engine, ProxyRequest request, ClientExchange client, AttemptSpan span,
            Runnable written) {
        return requests(engine).to(client.eventLoop(), request.method(), request.path(), request.variablePath())
                .responseConnection(UpstreamClient::received)
                .single()
                .contextWrite(Context.of(Outgoing.class, new Outgoing(engine, request, client, span, written)));
    }

    /**
     * The engine's connections in use, bounded by {@code max-connections-per-backend}: an attempt takes a permit
     * before {@link #send} and gives it back when it ends.
     */
    ConnectionPermits permits(Engine engine) {
        return requests(engine).permits();
    }

    private EngineRequests requests(Engine engine) {
        EngineRequests requests = engines.get(engine);
        // An engine that left the fleet since it was ranked: its last requests are prepared, but not kept.
        return requests != null ? requests : requestsTo(engine);
    }

    private EngineRequests requestsTo(Engine engine) {
        return new EngineRequests(engine, this::clientOn, send, new ConnectionPermits(engine.id(),
                properties.maxConnectionsPerBackend(), properties.maxPendingAcquires(),
                properties.pendingAcquireTimeout()));
    }

    /**
     * The engine client whose connections are opened on, and pooled for, {@code loop}: Reactor Netty keeps a pool
     * per event loop group, so each loop's requests reuse connections served by the same thread.
     */
    private HttpClient clientOn(EventLoop loop) {
        return loop == null ? http : loops.computeIfAbsent(loop, http::runOn);
    }

    private static Mono<UpstreamResponse> received(HttpClientResponse response, Connection connection) {
        return Mono.just(new UpstreamResponse(response, connection));
    }

    /** Writes one request's headers and body to the engine's connection. */
    private Publisher<Void> write(HttpClientRequest outbound, NettyOutbound out) {
        Outgoing outgoing = outbound.currentContextView().get(Outgoing.class);
        ProxyRequest request = outgoing.request();
        HttpHeaders headers = outbound.requestHeaders();
        copyRequestHeaders(outgoing.client(), headers);
        RequestBody body = request.body();
        if (!headers.contains(HttpHeaderNames.CONTENT_TYPE) && body.length() > 0) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        }
        headers.set(HttpHeaderNames.CONTENT_LENGTH, body.length());
        headers.set("X-Request-Id", request.requestId());
        outgoing.span().inject(headers);
        String apiKey = outgoing.engine().apiKey();
        if (apiKey != null) {
            headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + apiKey);
        }
        Runnable written = outgoing.written();
        return out.send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body.bytes(), 0, body.length())))
                .then().doOnSuccess(done -> written.run());
    }

    /** What one request writes, for {@link #write}. */
    private record Outgoing(Engine engine, ProxyRequest request, ClientExchange client, AttemptSpan span,
            Runnable written) {
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
