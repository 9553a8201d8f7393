package dev.prefixrouter.sim;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A request as the simulated engine received it, kept for inspection.
 *
 * @param path    request path
 * @param headers header names in lower case, first value each
 * @param body    the raw body bytes
 */
public record ReceivedRequest(String path, Map<String, String> headers, byte[] body) {

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
