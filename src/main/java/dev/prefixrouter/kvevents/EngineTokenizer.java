package dev.prefixrouter.kvevents;

import com.dynatrace.hash4j.hashing.HashStream64;
import com.dynatrace.hash4j.hashing.Hashing;
import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.routing.TokenizeInput;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import lombok.extern.slf4j.Slf4j;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.core.json.JsonFactory;

/**
 * A request's token ids as the engines see them, from vLLM's {@code POST /tokenize}: a chat request's
 * {@code messages} (the engine applies its chat template and the generation prompt, as it will when serving) or a
 * completion's {@code prompt}. Asked of a configured tokenizer (e.g. a CPU-only vLLM sidecar) or else of the
 * request's least busy candidate engine.
 *
 * <p>Never fails a request: a tokenizer that is slower than the timeout, answers an error, or cannot be reached
 * gives an empty result, counted in {@code router.kv.tokenizer.fallbacks}, and the request is routed by the
 * approximate index. The body sent is the request's own bytes wrapped between a short prefix and suffix, not a
 * copy; the answer is bounded by its declared length. Prompts above {@code max-prompt-size} are not tokenized, and
 * at most {@code max-concurrent} answers are read at once (a bounded pool, whose waiting queue is bounded too), so
 * the memory tokenization holds outside the request-memory budget is bounded, and a tokenizer that hangs cannot
 * gather an unbounded backlog.
 */
@Slf4j
public final class EngineTokenizer implements AutoCloseable {

    /** A {@code /tokenize} answer holds at most this many bytes per prompt byte (ids of 1+ characters each). */
    private static final int ANSWER_BYTES_PER_PROMPT_BYTE = 12;
    private static final int ANSWER_SLACK_BYTES = 4096;
    private static final byte[] CHAT_SUFFIX = ",\"add_generation_prompt\":true}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROMPT_SUFFIX = "}".getBytes(StandardCharsets.US_ASCII);

    private final ConnectionProvider connections;
    private final HttpClient http;
    private final URI sidecar;
    private final Duration timeout;
    private final TokenCache cache;
    private final JsonFactory json = JsonFactory.builder().build();
    private final Timer latency;
    private final Counter timeouts;
    private final Counter errors;
    private final Counter tooLong;
    private final long maxPromptBytes;

    public EngineTokenizer(KvEventsProperties.Tokenizer properties, MeterRegistry registry) {
        this.sidecar = properties.url().isBlank() ? null
                : URI.create(properties.url().replaceAll("/+$", "") + "/tokenize");
        this.timeout = properties.timeout();
        this.cache = new TokenCache(properties.cacheMemory().toBytes());
        this.maxPromptBytes = properties.maxPromptSize().toBytes();
        this.connections = ConnectionProvider.builder("kv-tokenizer").maxConnections(properties.maxConcurrent())
                .pendingAcquireMaxCount(1024).maxIdleTime(Duration.ofSeconds(30)).build();
        this.http = HttpClient.create(connections).compress(false).followRedirect(false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeout.toMillis()));
        this.latency = Timer.builder("router.kv.tokenizer.latency")
                .description("Time to a /tokenize answer that arrived in time").register(registry);
        this.timeouts = fallbacks(registry, "timeout");
        this.errors = fallbacks(registry, "error");
        this.tooLong = fallbacks(registry, "too_long");
        Gauge.builder("router.kv.tokenizer.cache.bytes", cache, TokenCache::accountedBytes).baseUnit("bytes")
                .description("Accounted bytes of cached prompt tokens").register(registry);
        Gauge.builder("router.kv.tokenizer.cache.max.bytes", cache, TokenCache::maxBytes).baseUnit("bytes")
                .description("Budget of cached prompt tokens").register(registry);
        FunctionCounter.builder("router.kv.tokenizer.cache.requests", cache,
                TokenCache::hits).tag("result", "hit").register(registry);
        FunctionCounter.builder("router.kv.tokenizer.cache.requests", cache,
                TokenCache::misses).tag("result", "miss").register(registry);
    }

    private static Counter fallbacks(MeterRegistry registry, String reason) {
        return Counter.builder("router.kv.tokenizer.fallbacks").tag("reason", reason)
                .description("Requests routed by the approximate index because their tokens did not come in time")
                .register(registry);
    }

    /** The prompt's token ids, or empty when they cannot be had within the timeout. */
    public Mono<int[]> tokens(String model, TokenizeInput input, List<Engine> candidates) {
        if (input.length() > maxPromptBytes) {
            tooLong.increment();
            return Mono.empty();
        }
        long key = key(model, input);
        int[] cached = cache.get(key);
        if (cached != null) {
            return Mono.just(cached);
        }
        Engine engine = leastBusy(candidates, key);
        URI uri = sidecar != null ? sidecar : engine.resolve("/tokenize");
        String apiKey = sidecar != null ? null : engine.apiKey();
        long maxAnswer = (long) input.length() * ANSWER_BYTES_PER_PROMPT_BYTE + ANSWER_SLACK_BYTES;
        long start = System.nanoTime();
        return http.headers(headers -> {
                    headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                    if (apiKey != null) {
                        headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + apiKey);
                    }
                })
                .post().uri(uri)
                .send(Mono.fromSupplier(() -> body(model, input)))
                .responseSingle((response, content) -> {
                    int status = response.status().code();
                    if (status != 200) {
                        return Mono.error(new IllegalStateException(uri + " answered HTTP " + status));
                    }
                    long declared = response.responseHeaders().getInt(HttpHeaderNames.CONTENT_LENGTH, -1);
                    if (declared > maxAnswer) {
                        return Mono.error(new IllegalStateException(uri + " answered " + declared
                                + " bytes for a prompt of " + input.length()));
                    }
                    return content.asByteArray();
                })
                .map(answer -> parse(answer, uri))
                .timeout(timeout)
                .doOnNext(tokens -> {
                    latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    cache.put(key, tokens);
                })
                .onErrorResume(error -> {
                    fallBack(error, uri);
                    return Mono.empty();
                });
    }

    /**
     * The candidate with the fewest requests in flight from this router: its API server answers soonest (vLLM
     * tokenizes on the same event loop that streams its responses). Ties go by the prompt's hash, so load spreads.
     */
    private static Engine leastBusy(List<Engine> candidates, long key) {
        int size = candidates.size();
        int offset = (int) Math.floorMod(key, (long) size);
        Engine best = null;
        for (int i = 0; i < size; i++) {
            Engine engine = candidates.get((offset + i) % size);
            if (best == null || engine.inFlight() < best.inFlight()) {
                best = engine;
            }
        }
        return best;
    }

    private void fallBack(Throwable error, URI uri) {
        if (error instanceof TimeoutException) {
            timeouts.increment();
            log.debug("tokenizer {} did not answer within {}; routing approximately", uri, timeout);
        } else {
            errors.increment();
            log.debug("tokenizer {} failed ({}); routing approximately", uri, error.toString());
        }
    }

    /** {@code {"model":M,"messages":RAW,"add_generation_prompt":true}} or {@code {"model":M,"prompt":RAW}}. */
    private static ByteBuf body(String model, TokenizeInput input) {
        StringBuilder head = new StringBuilder(model.length() + 32).append("{\"model\":\"");
        JsonStringEncoder.getInstance().quoteAsString(model, head);
        head.append(input.chat() ? "\",\"messages\":" : "\",\"prompt\":");
        return Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(head.toString().getBytes(StandardCharsets.UTF_8)),
                Unpooled.wrappedBuffer(input.body(), input.start(), input.length()),
                Unpooled.wrappedBuffer(input.chat() ? CHAT_SUFFIX : PROMPT_SUFFIX));
    }

    /** The {@code tokens} array of a {@code /tokenize} answer. */
    int[] parse(byte[] answer, URI uri) {
        try (JsonParser parser = json.createParser(ObjectReadContext.empty(), answer)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalStateException(uri + " answered something other than a JSON object");
            }
            String name;
            while ((name = parser.nextName()) != null) {
                JsonToken value = parser.nextToken();
                if (name.equals("tokens") && value == JsonToken.START_ARRAY) {
                    return ids(parser);
                }
                parser.skipChildren();
            }
            throw new IllegalStateException(uri + " answered without a 'tokens' array");
        } catch (JacksonException e) {
            throw new IllegalStateException(uri + " answered malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static int[] ids(JsonParser parser) {
        int[] ids = new int[256];
        int count = 0;
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token != JsonToken.VALUE_NUMBER_INT) {
                throw new IllegalStateException("a token id that is not an integer: " + token);
            }
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, count * 2);
            }
            ids[count++] = parser.getIntValue();
        }
        return Arrays.copyOf(ids, count);
    }

    /** A 64-bit hash of what is sent: the model, the field and the raw value. */
    static long key(String model, TokenizeInput input) {
        HashStream64 hash = Hashing.xxh3_64().hashStream();
        hash.putString(model).putBoolean(input.chat()).putBytes(input.body(), input.start(), input.length());
        return hash.getAsLong();
    }

    @Override
    public void close() {
        connections.dispose();
    }
}
