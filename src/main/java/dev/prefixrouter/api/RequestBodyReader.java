package dev.prefixrouter.api;

import dev.prefixrouter.error.ApiException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Reads a request body once, into a byte array bounded by {@code router.limits.max-body-size}. The array is
 * parsed for routing and forwarded as-is (also on retries), and the pooled network buffers are released at once.
 */
@Component
public class RequestBodyReader {

    private final int maxBytes;

    public RequestBodyReader(LimitsProperties limits) {
        this.maxBytes = (int) Math.min(Integer.MAX_VALUE - 8, limits.maxBodySize().toBytes());
    }

    public Mono<byte[]> read(ServerHttpRequest request) {
        long declared = request.getHeaders().getContentLength();
        if (declared > maxBytes) {
            return Mono.error(ApiException.bodyTooLarge(maxBytes));
        }
        return DataBufferUtils.join(request.getBody(), maxBytes)
                .map(RequestBodyReader::drain)
                .defaultIfEmpty(new byte[0])
                .onErrorMap(DataBufferLimitException.class, e -> ApiException.bodyTooLarge(maxBytes));
    }

    private static byte[] drain(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }
}
