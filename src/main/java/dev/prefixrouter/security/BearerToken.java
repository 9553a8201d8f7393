package dev.prefixrouter.security;

import java.util.List;

/** Reads the credential of an {@code Authorization: Bearer <token>} header (RFC 6750; the scheme in any case). */
final class BearerToken {

    private static final String SCHEME = "Bearer ";

    private BearerToken() {
    }

    /** The token of the request's only {@code Authorization} header, or {@code null} if that is not a Bearer one. */
    static String of(List<String> authorization) {
        if (authorization == null || authorization.size() != 1) {
            return null;
        }
        String value = authorization.get(0).strip();
        if (value.length() <= SCHEME.length() || !value.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return null;
        }
        String token = value.substring(SCHEME.length()).strip();
        return token.isEmpty() ? null : token;
    }
}
