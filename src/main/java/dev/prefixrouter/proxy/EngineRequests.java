package dev.prefixrouter.proxy;

import dev.prefixrouter.fleet.Engine;
import io.netty.handler.codec.http.HttpMethod;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.netty.NettyOutbound;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.transport.AddressUtils;

/**
 * One engine's requests, prepared once: a client aimed at the engine's address (TLS for an {@code https} engine),
 * and for each operation path a request whose method, path and send function are already set, so a request
 * only subscribes (Reactor Netty copies its whole client configuration at each of {@code request}, {@code uri}
 * and {@code send}, and parses an absolute URL on every request). The target is relative to the address, which
 * also gives the {@code Host} header. Paths that vary (a stored response's id) are prepared per request, uncached.
 */
final class EngineRequests {

    private final HttpClient client;
    private final String basePath;
    private final BiFunction<? super HttpClientRequest, ? super NettyOutbound, ? extends Publisher<Void>> send;
    private final Map<String, HttpClient.ResponseReceiver<?>> posts = new ConcurrentHashMap<>();

    EngineRequests(HttpClient base, Engine engine,
            BiFunction<? super HttpClientRequest, ? super NettyOutbound, ? extends Publisher<Void>> send) {
        URI url = engine.url();
        boolean secure = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() != -1 ? url.getPort() : secure ? 443 : 80;
        String host = url.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        InetSocketAddress address = AddressUtils.createUnresolved(host, port);
        HttpClient aimed = base.remoteAddress(() -> address);
        this.client = secure ? aimed.secure() : aimed;
        this.basePath = url.getRawPath() == null ? "" : url.getRawPath();
        this.send = send;
    }

    /** The request to send: prepared once for a POST to a fixed path, else made now. */
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
