package dev.prefixrouter.api;

import dev.prefixrouter.admission.AdmissionControl;
import dev.prefixrouter.admission.LimitsProperties;
import dev.prefixrouter.error.ApiException;
import dev.prefixrouter.proxy.ClientExchange;
import dev.prefixrouter.proxy.RequestBody;
import dev.prefixrouter.trie.HashTrieConfig;
import io.netty.buffer.ByteBuf;
import io.netty.handler.timeout.ReadTimeoutException;
import java.util.Arrays;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Reads a request body once, into one byte array bounded by {@code router.limits.max-body-size}, inside the
 * request-memory budget: before the first byte is read the request is admitted for what it will hold (the body
 * and the routing key hashed from it), and each network buffer is copied into the array as it arrives (Reactor
 * Netty releases it right after). A body of unannounced length (chunked) takes room as it grows, without waiting,
 * and is not copied to its final length (the array may end in unused room). The result holds the permit until it
 * is released.
 */
@Component
public class RequestBodyReader {

    private final int maxBytes;
    private final AdmissionControl admission;
    private final int chunkSize;

    public RequestBodyReader(LimitsProperties limits, AdmissionControl admission, HashTrieConfig hashTrie) {
        this.maxBytes = (int) Math.min(Integer.MAX_VALUE - 8, limits.maxBodySize().toBytes());
        this.admission = admission;
        this.chunkSize = hashTrie.chunkSize();
    }

    /**
     * What a body of {@code length} bytes costs while its request is routed and forwarded: the bytes, plus the
     * routing key, 8 bytes per full chunk of prompt characters (a body holds at least as many bytes as its prompt
     * has characters).
     */
    long memoryFor(long length) {
        return length + keyBytes(length);
    }

    /** The routing key of a prompt from a body of {@code length} bytes: 8 bytes per chunk, at most. */
    private long keyBytes(long length) {
        return 8 * (length / chunkSize + 1);
    }

    public Mono<RequestBody> read(ClientExchange request) {
        long declared = request.declaredLength();
        if (declared > maxBytes) {
            return Mono.error(ApiException.bodyTooLarge(maxBytes));
        }
        return Mono.defer(() -> admission.admit(declared >= 0 ? memoryFor(declared) : memoryFor(0)))
                .flatMap(permit -> collect(request, declared, permit)
                        .map(Collector::take)
                        .doOnError(error -> permit.release())
                        .doOnCancel(permit::release));
    }

    private Mono<Collector> collect(ClientExchange request, long declared, AdmissionControl.Permit permit) {
        Collector collector = new Collector(declared >= 0 ? (int) declared : 0, declared < 0, permit);
        // Reactor Netty releases each buffer once it has been handed on: the collector copies and keeps none.
        return request.request().receive()
                .doOnNext(collector::add)
                .onErrorMap(ReadTimeoutException.class, timeout -> new ApiException(HttpStatus.REQUEST_TIMEOUT,
                        "invalid_request_error", "request_timeout", null, "The request body stopped arriving for"
                        + " longer than router.limits.body-read-timeout; the connection is closed."))
                .then(Mono.just(collector));
    }

    /** Copies buffers into the array as they arrive; one request's, on its event loop. */
    private final class Collector {
        private byte[] bytes;
        private int size;
        private final boolean growing;
        private final AdmissionControl.Permit permit;

        Collector(int capacity, boolean growing, AdmissionControl.Permit permit) {
            this.bytes = new byte[capacity];
            this.growing = growing;
            this.permit = permit;
        }

        /**
         * Hands the bytes over and forgets them: the subscriber chain that holds this collector can outlive the
         * body's release (it lives as long as the exchange), so only the {@link RequestBody} may keep the array.
         */
        RequestBody take() {
            byte[] taken = bytes;
            bytes = null;
            // Released, the body gives back all but the routing key's share, which the request holds to its end.
            return new RequestBody(taken, size, () -> permit.shrink(keyBytes(size)), permit::release);
        }

        void add(ByteBuf buffer) {
            int n = buffer.readableBytes();
            if ((long) size + n > maxBytes) {
                throw ApiException.bodyTooLarge(maxBytes);
            }
            if (size + n > bytes.length) {
                grow(size + n);
            }
            buffer.readBytes(bytes, size, n);
            size += n;
        }

        private void grow(int needed) {
            if (!growing) { // more than announced: the server's framing forbids it, but do not overrun
                throw ApiException.invalidRequest(null, "Request body is longer than its Content-Length.");
            }
            int capacity = (int) Math.min(maxBytes, Math.max(needed, Math.max(1024L, 2L * bytes.length)));
            if (!permit.tryGrow(memoryFor(capacity) - memoryFor(bytes.length))) {
                throw admission.refusal(AdmissionControl.Rejection.BODY_BUDGET);
            }
            bytes = Arrays.copyOf(bytes, capacity);
        }
    }
}
