package dev.prefixrouter.proxy;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the id of a Responses-API response in the first bytes of the engine's answer as they are relayed: the
 * {@code "id"} of the response object (whole answers) or of {@code response.created}'s response (streams), which
 * vLLM writes near the start. Looks at no more than the first {@link #WINDOW} bytes, without holding buffers.
 */
final class ResponseIdSniffer {

    static final int WINDOW = 8192;
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"(resp_[A-Za-z0-9_-]{1,200})\"");

    private final Consumer<String> found;
    private final StringBuilder seen = new StringBuilder();
    private boolean done;

    ResponseIdSniffer(Consumer<String> found) {
        this.found = found;
    }

    void accept(ByteBuf buffer) {
        if (done) {
            return;
        }
        int take = Math.min(buffer.readableBytes(), WINDOW - seen.length());
        seen.append(buffer.toString(buffer.readerIndex(), take, StandardCharsets.ISO_8859_1));
        Matcher matcher = ID.matcher(seen);
        if (matcher.find()) {
            done = true;
            found.accept(matcher.group(1));
        } else if (seen.length() >= WINDOW) {
            done = true;
        }
    }
}
