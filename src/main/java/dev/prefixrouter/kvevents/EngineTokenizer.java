package dev.prefixrouter.kvevents;

import com.dynatrace.hash4j.hashing.HashStream64;
import com.dynatrace.hash4j.hashing.Hashing;
import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.routing.PromptTokens;
import dev.prefixrouter.routing.TokenizeInput;
import io.micrometer.core.instrument.Counter;
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
import java.util.concurrent.Semaphore;
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
 * <p>A conversation's next request is routed without waiting for the tokenizer: its leading messages are an earlier
 * request's, whose tokens are cached, and when they make at least {@code min-earlier-turns-share} of it (0.8, as
 * llm-d's {@code minPrefixOverlapRatio}) their tokens are what the request is routed by; the whole prompt is then
 * tokenized off the request path, with at most half of {@code max-concurrent} such tokenizations at once (more are
 * skipped, counted), each holding the request's body until its answer or the timeout. What engines hold of the
 * turns added since is the last answer, held by the engine that generated it, which holds the turns before too.
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
    private final double minEarlierShare;
    private final Semaphore refreshes;
    private final Counter wholeHits;
    private final Counter earlierHits;
    private final Counter misses;
    private final Counter refreshesCached;
    private final Counter refreshesFailed;
    private final Counter refreshesSkipped;

    public EngineTokenizer(KvEventsProperties.Tokenizer properties, MeterRegistry registry) {
        this.sidecar = properties.url().isBlank() ? null
                : URI.create(properties.url().replaceAll("/+$", "") + "/tokenize");
        this.timeout = properties.timeout();
        this.cache = new TokenCache(properties.cacheMemory().toBytes());
        this.maxPromptBytes = properties.maxPromptSize().toBytes();
        this.minEarlierShare = properties.minEarlierTurnsShare();
        // Half the connections at most, so requests waiting on their own tokens always find one.
        this.refreshes = new Semaphore(Math.max(1, properties.maxConcurrent() / 2));
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
        this.wholeHits = cacheRequests(registry, "hit");
        this.earlierHits = cacheRequests(registry, "earlier_turns");
        this.misses = cacheRequests(registry, "miss");
        this.refreshesCached = refreshes(registry, "cached");
        this.refreshesFailed = refreshes(registry, "failed");
        this.refreshesSkipped = refreshes(registry, "skipped");
    }

    private static Counter cacheRequests(MeterRegistry registry, String result) {
        return Counter.builder("router.kv.tokenizer.cache.requests").tag("result", result)
                .description("Requests whose tokens were cached whole (hit), cached for their earlier turns, or not")
                .register(registry);
    }

    private static Counter refreshes(MeterRegistry registry, String result) {
        return Counter.builder("router.kv.tokenizer.refreshes").tag("result", result)
                .description("Whole prompts tokenized off the request path after it was routed by earlier turns")
                .register(registry);
    }

    private static Counter fallbacks(MeterRegistry registry, String reason) {
        return Counter.builder("router.kv.tokenizer.fallbacks").tag("reason", reason)
                .description("Requests routed by the approximate index because their tokens did not come in time")
                .register(registry);
    }

    /**
     * The prompt's token ids, or its earlier turns' (see the class comment), or empty when neither can be had within
     * the timeout.
     */
    public Mono<PromptTokens> tokens(String model, TokenizeInput input, List<Engine> candidates) {
        if (input.length() > maxPromptBytes) {
            tooLong.increment();
            return Mono.empty();
        }
        long[] keys = keys(model, input);
        long key = keys[keys.length - 1];
        int[] cached = cache.get(key);
        if (cached != null) {
            wholeHits.increment();
            return Mono.just(PromptTokens.whole(cached));
        }
        PromptTokens earlier = earlierTurns(input, keys);
        if (earlier != null) {
            earlierHits.increment();
            refresh(model, input, key, candidates);
            return Mono.just(earlier);
        }
        misses.increment();
        return fetch(model, input, key, candidates).map(PromptTokens::whole).onErrorResume(error -> {
            fallBack(error);
            return Mono.empty();
        });
    }

    /**
     * The tokens cached for the longest run of this conversation's leading messages, if they make at least
     * {@code min-earlier-turns-share} of its messages' bytes: an earlier request of the same conversation, whose
     * tokens are this one's leading tokens (a chat template renders each message the same whatever follows it; the
     * earlier request's generation prompt is where the answer that follows it starts).
     */
    private PromptTokens earlierTurns(TokenizeInput input, long[] keys) {
        int[] ends = input.elementEnds();
        if (ends.length < 2 || minEarlierShare > 1) {
            return null;
        }
        double total = ends[ends.length - 1] - input.start();
        for (int i = ends.length - 2; i >= 0; i--) {
            double share = (ends[i] - input.start()) / total;
            if (share < minEarlierShare) {
                return null;
            }
            int[] tokens = cache.get(keys[i]);
            if (tokens != null) {
                return new PromptTokens(tokens, share);
            }
        }
        return null;
    }

    /**
     * Tokenizes the whole prompt off the request path, for the conversation's next request, unless half the
     * connections are busy doing so already (the request's body is held until the answer or the timeout).
     */
    private void refresh(String model, TokenizeInput input, long key, List<Engine> candidates) {
        if (!refreshes.tryAcquire()) {
            refreshesSkipped.increment();
            return;
        }
        fetch(model, input, key, candidates).doFinally(signal -> refreshes.release()).subscribe(
                tokens -> refreshesCached.increment(),
                error -> {
                    refreshesFailed.increment();
                    log.debug("tokenizing a whole conversation off the request path failed: {}", error.toString());
                });
    }

    /** The whole prompt's ids from the tokenizer, cached under {@code key}; errors on a timeout or a bad answer. */
    private Mono<int[]> fetch(String model, TokenizeInput input, long key, List<Engine> candidates) {
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
                .timeout(timeout, Mono.error(() -> new TimeoutException(uri + " did not answer within " + timeout)))
                .doOnNext(tokens -> {
                    latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    cache.put(key, tokens);
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

    private void fallBack(Throwable error) {
        if (error instanceof TimeoutException) {
            timeouts.increment();
        } else {
            errors.increment();
        }
        log.debug("routing approximately: {}", error.toString());
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

    /**
     * 64-bit hashes of what is sent, the model, the field and the raw value: for a chat request one per run of
     * leading messages (the {@code i}-th of {@code [start, elementEnds[i])}, the last the whole conversation), so a
     * later request of the same conversation finds this one's under its own leading messages; else one.
     */
    static long[] keys(String model, TokenizeInput input) {
        HashStream64 hash = Hashing.xxh3_64().hashStream().putString(model).putBoolean(input.chat());
        int[] ends = input.elementEnds();
        if (ends.length == 0) {
            return new long[] {hash.putBytes(input.body(), input.start(), input.length()).getAsLong()};
        }
        long[] keys = new long[ends.length];
        int from = input.start();
        for (int i = 0; i < ends.length; i++) {
            keys[i] = hash.putBytes(input.body(), from, ends[i] - from).getAsLong(); // the stream goes on after
            from = ends[i];
        }
        return keys;
    }

    @Override
    public void close() {
        connections.dispose();
    }
}
