package dev.prefixrouter.proxy;

import java.util.Locale;
import java.util.Set;

/**
 * Headers that describe one connection rather than the message (RFC 9110 §7.6.1), plus those the proxy sets
 * itself; they are never copied across the proxy.
 */
final class HopByHopHeaders {

    private static final Set<String> REQUEST_SKIPPED = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host",
            "content-length", "expect", "x-request-id");

    private static final Set<String> RESPONSE_SKIPPED = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade", "x-request-id");

    private HopByHopHeaders() {
    }

    static boolean skipOnRequest(String name) {
        return REQUEST_SKIPPED.contains(name.toLowerCase(Locale.ROOT));
    }

    static boolean skipOnResponse(String name) {
        return RESPONSE_SKIPPED.contains(name.toLowerCase(Locale.ROOT));
    }
}
