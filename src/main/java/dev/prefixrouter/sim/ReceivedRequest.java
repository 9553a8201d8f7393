package dev.prefixrouter.sim;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request as the simulated engine received it, kept for inspection.
 *
 * @param path      request path
 * @param headers   header names in lower case, first value each
 * @param allValues header names in lower case, every value of each in the order received (one per header line)
 * @param body      the raw body bytes
 */
public record ReceivedRequest(String path, Map<String, String> headers, Map<String, List<String>> allValues,
        byte[] body) {

    /** Every value of header {@code name}, one per header line as received; empty when it was not sent. */
    public List<String> values(String name) {
        return allValues.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
