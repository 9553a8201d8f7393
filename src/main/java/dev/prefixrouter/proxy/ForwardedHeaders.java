package dev.prefixrouter.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The forwarding headers an engine receives, describing the hop from the client's peer to the router:
 * {@code X-Forwarded-For}, {@code X-Forwarded-Proto}, {@code X-Forwarded-Host} and {@code Forwarded} (RFC 7239).
 *
 * <p>A peer in {@code router.proxy.trusted-proxies} is a proxy whose forwarding headers are believed: its
 * {@code X-Forwarded-For} and {@code Forwarded} values are kept, every header line in order, and this hop is
 * appended; its {@code X-Forwarded-Proto}, {@code X-Forwarded-Host} (and any other {@code X-Forwarded-*} or
 * {@code X-Real-IP}) pass unchanged, and are set from this hop only when absent. From any other peer those headers
 * are whatever the client chose to write: they are dropped and replaced by this hop's alone.
 */
final class ForwardedHeaders {

    private ForwardedHeaders() {
    }

    /** Whether a request header (lower-case name) is one of the forwarding headers this class writes or vets. */
    static boolean isForwardingHeader(String lowerCaseName) {
        return lowerCaseName.startsWith("x-forwarded-") || lowerCaseName.equals("forwarded")
                || lowerCaseName.equals("x-real-ip");
    }

    /**
     * Writes the forwarding headers for {@code client}'s request onto the upstream request's {@code target}.
     *
     * @param nominated header names the client's {@code Connection} header listed: meant for this hop, not kept
     * @param trusted   whether the client's peer is a trusted proxy
     */
    static void write(ClientExchange client, Set<String> nominated, boolean trusted, HttpHeaders target) {
        HttpHeaders headers = client.headers();
        if (trusted) {
            for (Map.Entry<String, String> header : headers) {
                String name = header.getKey().toLowerCase(Locale.ROOT);
                if (isForwardingHeader(name) && !nominated.contains(name) && !name.equals("x-forwarded-for")
                        && !name.equals("forwarded")) {
                    target.add(header.getKey(), header.getValue());
                }
            }
        }
        InetSocketAddress remote = client.remoteAddress();
        String peer = remote == null || remote.getAddress() == null ? null : address(remote.getAddress());
        String proto = client.scheme() == null ? "http" : client.scheme();
        String host = client.host();

        StringBuilder forwardedFor = earlier(headers, "x-forwarded-for", trusted, nominated);
        if (peer != null) {
            separate(forwardedFor).append(peer);
        }
        if (!forwardedFor.isEmpty()) {
            target.set("X-Forwarded-For", forwardedFor.toString());
        }
        if (!target.contains("X-Forwarded-Proto")) {
            target.set("X-Forwarded-Proto", proto);
        }
        if (host != null && !target.contains("X-Forwarded-Host")) {
            target.set("X-Forwarded-Host", host);
        }
        StringBuilder forwarded = earlier(headers, "forwarded", trusted, nominated);
        separate(forwarded).append(element(peer, host, proto));
        target.set("Forwarded", forwarded.toString());
    }

    /** A trusted peer's values of a list header, every line in order, as one comma-separated list; else empty. */
    private static StringBuilder earlier(HttpHeaders headers, String name, boolean trusted, Set<String> nominated) {
        StringBuilder list = new StringBuilder();
        List<String> values = trusted && !nominated.contains(name) ? headers.getAll(name) : null;
        if (values != null) {
            for (String value : values) {
                String trimmed = value.trim();
                if (!trimmed.isEmpty()) {
                    separate(list).append(trimmed);
                }
            }
        }
        return list;
    }

    private static StringBuilder separate(StringBuilder list) {
        return list.isEmpty() ? list : list.append(", ");
    }

    /** This hop as one {@code Forwarded} element; IPv6 nodes and hosts are quoted, as RFC 7239 requires. */
    private static String element(String peer, String host, String proto) {
        StringBuilder element = new StringBuilder(64);
        if (peer != null) {
            element.append("for=").append(peer.indexOf(':') >= 0 ? "\"[" + peer + "]\"" : peer).append(';');
        }
        if (host != null) {
            element.append("host=\"").append(host.replace("\\", "\\\\").replace("\"", "\\\"")).append("\";");
        }
        return element.append("proto=").append(proto).toString();
    }

    /** The peer's address as text, without an IPv6 scope. */
    private static String address(InetAddress address) {
        String text = address.getHostAddress();
        int scope = address instanceof Inet6Address ? text.indexOf('%') : -1;
        return scope < 0 ? text : text.substring(0, scope);
    }
}
