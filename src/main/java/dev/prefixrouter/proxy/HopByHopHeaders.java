package dev.prefixrouter.proxy;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Headers that describe one connection rather than the message (RFC 9110 §7.6.1), those a message's
 * {@code Connection} header names as such, and those the proxy sets itself: none of them is copied across the
 * proxy, in either direction. Names are compared in lower case.
 */
final class HopByHopHeaders {

    /** Connection-specific in every message, whether or not {@code Connection} lists them. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

    /** Set on the upstream request by the proxy itself. */
    private static final Set<String> SET_ON_REQUEST = Set.of("host", "content-length", "expect", "x-request-id");

    /** Set on the client's response by the router itself. */
    private static final Set<String> SET_ON_RESPONSE = Set.of("x-request-id");

    private HopByHopHeaders() {
    }

    /**
     * The header names, in lower case, that a message's {@code Connection} header values list (comma-separated
     * tokens, possibly over several header lines): the sender meant them for this hop only.
     */
    static Set<String> nominatedBy(List<String> connectionValues) {
        if (connectionValues == null || connectionValues.isEmpty()) {
            return Set.of();
        }
        Set<String> names = new HashSet<>();
        for (String value : connectionValues) {
            for (String token : value.split(",")) {
                String name = token.trim();
                if (!name.isEmpty()) {
                    names.add(name.toLowerCase(Locale.ROOT));
                }
            }
        }
        return names;
    }

    /** Whether a client's request header {@code lowerCaseName} stays behind, given what its Connection nominated. */
    static boolean skipOnRequest(String lowerCaseName, Set<String> nominated) {
        return HOP_BY_HOP.contains(lowerCaseName) || SET_ON_REQUEST.contains(lowerCaseName)
                || nominated.contains(lowerCaseName);
    }

    /** Whether an engine's response header {@code lowerCaseName} stays behind, given what its Connection nominated. */
    static boolean skipOnResponse(String lowerCaseName, Set<String> nominated) {
        return HOP_BY_HOP.contains(lowerCaseName) || SET_ON_RESPONSE.contains(lowerCaseName)
                || nominated.contains(lowerCaseName);
    }
}
