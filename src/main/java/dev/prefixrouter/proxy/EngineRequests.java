package dev.prefixrouter.proxy;

import dev.prefixrouter.fleet.Engine;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpMethod;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.netty.NettyOutbound;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.transport.AddressUtils;

/**
 * One engine's requests, prepared once per event loop: a client aimed at the engine's address (TLS for an
 * {@code https} engine) whose connections live on that loop, and for each operation path a request whose method,
 * path and send function are already set, so a request only subscribes (Reactor Netty copies its whole client
 * configuration at each of {@code request}, {@code uri} and {@code send}, and parses an absolute URL on every
 * request). A request takes its engine connection from its own event loop's pool, so the two connections of a
 * proxied request are served by one thread with no hand-off between loops; how many connections are in use across
 * the loops is bounded by {@link #permits()}. The target is relative to the address, which also gives the
 * {@code Host} header. Paths that vary (a stored response's id) are prepared per request, uncached.
 */
final class EngineRequests {

    /** The key of requests that come from no event loop (tests, or work started off the server). */
    private static final Object ANY_LOOP = new Object();

    private final InetSocketAddress address;
    private final boolean secure;
    private final String basePath;
    private final Function<EventLoop, HttpClient> clientOn;
    private final BiFunction<? super HttpClientRequest, ? super NettyOutbound, ? extends Publisher<Void>> send;
    private final ConnectionPermits permits;
    private final Map<Object, OnLoop> loops = new ConcurrentHashMap<>();

    /**
     * @param clientOn the router's engine client whose connections live on the given loop (the shared one for
     *                 {@code null})
     */
    EngineRequests(Engine engine, Function<EventLoop, HttpClient> clientOn,
            BiFunction<? super HttpClientRequest, ? super NettyOutbound, ? extends Publisher<Void>> send,
            ConnectionPermits permits) {
        URI url = engine.url();
        this.secure = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() != -1 ? url.getPort() : secure ? 443 : 80;
        String host = url.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        this.address = AddressUtils.createUnresolved(host, port);
        this.basePath = url.getRawPath() == null ? "" : url.getRawPath();
        this.clientOn = clientOn;
        this.send = send;
        this.permits = permits;
    }

    /** The engine's connections in use, across the loops. */
    ConnectionPermits permits() {
        return permits;
    }

    /** The request to send from {@code loop}: prepared once for a POST to a fixed path, else made now. */
    HttpClient.ResponseReceiver<?> to(EventLoop loop, HttpMethod method, String path, boolean variablePath) {
        Object key = loop != null ? loop : ANY_LOOP;
        OnLoop onLoop = loops.get(key);
        if (onLoop == null) {
            onLoop = loops.computeIfAbsent(key, k -> new OnLoop(aim(clientOn.apply(loop))));
        }
        return onLoop.to(method, path, variablePath);
    }

    private HttpClient aim(HttpClient client) {
        HttpClient aimed = client.remoteAddress(() -> address);
        return secure ? aimed.secure() : aimed;
    }

    /** The engine's requests from one event loop. */
    private final class OnLoop {
        private final HttpClient client;
        private final Map<String, HttpClient.ResponseReceiver<?>> posts = new ConcurrentHashMap<>();

        OnLoop(HttpClient client) {
            this.client = client;
        }

        HttpClient.ResponseReceiver<?> to(HttpMethod method, String path, boolean variablePath) {
            if (HttpMethod.POST.equals(method) && !variablePath) {
                HttpClient.ResponseReceiver<?> prepared = posts.get(path);
                return prepared != null ? prepared : posts.computeIfAbsent(path, p -> prepare(method, p));
            }
            return prepare(method, path);
        }

        private HttpClient.ResponseReceiver<?> prepare(HttpMethod method, String path) {
            return client.request(method).uri(basePath + path).send(send);
        }
    }
}
