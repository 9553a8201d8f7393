package dev.prefixrouter.sim;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A simulated OpenAI-compatible inference engine on its own loopback port: {@code /v1/models},
 * {@code /v1/chat/completions}, {@code /v1/completions} (streamed as vLLM streams them, with the usage chunk when
 * {@code stream_options.include_usage} is set, then {@code data: [DONE]}), {@code /v1/embeddings}, {@code /health}
 * and, when its {@link EngineModel} exports them, {@code /metrics}. When tokens come out is the model's business.
 * Keeps counters and the last requests it received, and can be told to misbehave ({@link Fault}).
 */
public final class EngineSimulator implements AutoCloseable {

    /**
     * Debug endpoint: POST a chat or completion body, get {@code {"cached_tokens":N,"prompt_tokens":M}} — how many
     * leading prompt tokens this engine holds in its prefix cache now. Reading does not touch the cache.
     */
    public static final String PREFIX_CACHE_PATH = "/debug/prefix-cache";
    private static final int REMEMBERED_REQUESTS = 256;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Settings settings;
    private final EngineModel model;
    private final DisposableServer server;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final long created = System.currentTimeMillis() / 1000;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicInteger active = new AtomicInteger();
    private final ConcurrentLinkedDeque<ReceivedRequest> recent = new ConcurrentLinkedDeque<>();
    private final AtomicInteger remembered = new AtomicInteger();
    private volatile Fault fault = Fault.NONE;

    /**
     * @param host             address to bind, normally {@code 127.0.0.1}
     * @param port             port to bind, 0 for any free one
     * @param modelName        the one model served
     * @param defaultMaxTokens tokens generated when a request sets no {@code max_tokens}
     */
    public record Settings(String host, int port, String modelName, int defaultMaxTokens) {
        public Settings {
            if (defaultMaxTokens < 1) {
                throw new IllegalArgumentException("defaultMaxTokens must be at least 1");
            }
        }

        public static Settings loopback(String modelName) {
            return new Settings("127.0.0.1", 0, modelName, 16);
        }
    }

    private EngineSimulator(Settings settings, EngineModel model) {
        this.settings = settings;
        this.model = model;
        this.server = HttpServer.create()
                .host(settings.host())
                .port(settings.port())
                .channelGroup(connections)
                .route(routes -> new ExtraEndpoints(settings.modelName(), settings.defaultMaxTokens(), model,
                        this::remember).register(routes)
                        .get("/health", (request, response) -> response.status(200).send())
                        .get("/v1/models", (request, response) -> json(response, 200,
                                EngineResponses.models(settings.modelName(), created)))
                        .get("/metrics", (request, response) -> metrics(response))
                        .post("/v1/chat/completions", (request, response) -> generate(request, response, true))
                        .post("/v1/completions", (request, response) -> generate(request, response, false))
                        .post("/v1/embeddings", this::embed)
                        .post(PREFIX_CACHE_PATH, this::prefixCache)
                        .post("/reset_prefix_cache", (request, response) -> request.receive().then()
                                .then(model.resetPrefixCache())
                                .then(response.status(200).send())))
                .bindNow();
    }

    /** Binds and starts serving; the caller closes it. */
    public static EngineSimulator start(Settings settings, EngineModel model) {
        return new EngineSimulator(settings, model);
    }

    /** The text this simulator generates for a prompt: the same prompt always yields the same tokens. */
    public static String completionText(String prompt, int tokens) {
        return EngineResponses.text(prompt, tokens);
    }

    public int port() {
        return server.port();
    }

    public String baseUrl() {
        return "http://" + settings.host() + ":" + port();
    }

    public String modelName() {
        return settings.modelName();
    }

    public EngineModel model() {
        return model;
    }

    /** Where this engine publishes KV-cache events (ports, endpoints), or {@code null} if it publishes none. */
    public KvEventsConfig kvEvents() {
        return model instanceof KvCacheEngineModel kv ? kv.kvEvents() : null;
    }

    /** Simulates an engine restart for event subscribers; see {@link KvCacheEngineModel#restartKvEvents()}. */
    public Mono<Void> restartKvEvents() {
        return model instanceof KvCacheEngineModel kv ? kv.restartKvEvents()
                : Mono.error(new IllegalStateException("this engine publishes no KV-cache events"));
    }

    /** Generation requests received, whatever became of them. */
    public long requestsReceived() {
        return received.get();
    }

    /** Generations that ran to their last token. */
    public long requestsCompleted() {
        return completed.get();
    }

    /** Generations abandoned because the client (the router) closed the connection. */
    public long requestsCancelled() {
        return cancelled.get();
    }

    /** Generations under way now. */
    public int activeRequests() {
        return active.get();
    }

    /** The most recent generation and embedding requests, oldest first. */
    public List<ReceivedRequest> recentRequests() {
        return new ArrayList<>(recent);
    }

    public void fault(Fault fault) {
        this.fault = fault;
    }

    /** Stops like a killed process: the port closes and every open connection drops. */
    @Override
    public void close() {
        server.disposeNow();
        connections.close().awaitUninterruptibly();
        model.close();
    }

    private Publisher<Void> generate(HttpServerRequest request, HttpServerResponse response, boolean chat) {
        return body(request).flatMap(body -> {
            remember(request, body);
            received.incrementAndGet();
            Fault current = fault;
            if (current == Fault.UNAVAILABLE) {
                return json(response, 503, EngineResponses.error("The engine is overloaded; retry later.",
                        "ServiceUnavailableError", null, 503));
            }
            if (current == Fault.HANG) {
                return Mono.never();
            }
            if (current == Fault.TOO_MANY_REQUESTS) {
                return json(response, 429, EngineResponses.error("Too many requests; retry later.",
                        "RateLimitError", null, 429));
            }
            if (current == Fault.BAD_INPUT_500) {
                return json(response, 500, EngineResponses.error("The model failed on this input: index out of"
                        + " range in self", "InternalServerError", null, 500));
            }
            if (current == Fault.RESET) {
                return Mono.<Void>never().doOnSubscribe(s -> response.withConnection(Connection::dispose));
            }
            if (current == Fault.DIE_AFTER_HEADERS || current == Fault.STALL_AFTER_HEADERS) {
                response.status(200).header(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
                Mono<Void> headers = response.sendHeaders().then();
                return current == Fault.STALL_AFTER_HEADERS ? headers.then(Mono.never())
                        : headers.then(Mono.fromRunnable(() -> response.withConnection(Connection::dispose)));
            }
            GenerationRequest generation;
            try {
                generation = GenerationRequest.parse(chat, body, settings.modelName(), settings.defaultMaxTokens());
            } catch (GenerationRequest.Invalid invalid) {
                return json(response, invalid.status, invalid.getMessage());
            }
            String rejection = model.rejection(generation.toSimRequest());
            if (rejection != null) {
                return json(response, 400, EngineResponses.error(rejection, "BadRequestError", "max_tokens", 400));
            }
            Flux<TokenEvent> tokens = model.generate(generation.toSimRequest())
                    .doOnSubscribe(subscription -> active.incrementAndGet())
                    .doOnComplete(completed::incrementAndGet)
                    .doOnCancel(cancelled::incrementAndGet)
                    .doFinally(signal -> active.decrementAndGet());
            return generation.stream() ? stream(response, generation, tokens, current == Fault.DIE_MID_STREAM)
                    : whole(response, generation, tokens);
        });
    }

    private Mono<Void> stream(HttpServerResponse response, GenerationRequest request, Flux<TokenEvent> tokens,
            boolean dieAfterFirstToken) {
        String id = (request.chat() ? "chatcmpl-" : "cmpl-") + ids.incrementAndGet();
        AtomicReference<TokenEvent> last = new AtomicReference<>();
        Flux<String> chunks = tokens.map(event -> {
            last.set(event);
            String token = EngineResponses.sse(EngineResponses.tokenChunk(request, id, created,
                    EngineResponses.token(request.prompt(), event.index()),
                    event.index() == request.maxTokens() - 1));
            return event.index() == 0 && request.chat()
                    ? EngineResponses.sse(EngineResponses.chatRoleChunk(id, created, request.model())) + token
                    : token;
        });
        response.status(200).header(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        if (dieAfterFirstToken) {
            return response.send(chunks.take(1).map(EngineSimulator::utf8), buffer -> true).then()
                    .then(Mono.fromRunnable(() -> response.withConnection(Connection::dispose)));
        }
        Mono<String> tail = Mono.fromSupplier(() -> (request.includeUsage() && last.get() != null
                ? EngineResponses.sse(EngineResponses.usageChunk(request, id, created, last.get(),
                        last.get().index() + 1))
                : "") + "data: [DONE]\n\n");
        // Headers first, before any token, as vLLM does: its streaming response starts once the request is queued.
        return response.sendHeaders().then()
                .then(response.send(chunks.concatWith(tail).map(EngineSimulator::utf8), buffer -> true).then());
    }

    private Mono<Void> whole(HttpServerResponse response, GenerationRequest request, Flux<TokenEvent> tokens) {
        String id = (request.chat() ? "chatcmpl-" : "cmpl-") + ids.incrementAndGet();
        return tokens.collectList().flatMap(list -> json(response, 200,
                EngineResponses.whole(request, id, created, list)));
    }

    private Publisher<Void> embed(HttpServerRequest request, HttpServerResponse response) {
        return body(request).flatMap(body -> {
            remember(request, body);
            JsonNode root = JSON.readTree(body);
            if (!settings.modelName().equals(root.path("model").asString(""))) {
                return json(response, 404, EngineResponses.error("The model `" + root.path("model").asString("")
                        + "` does not exist.", "NotFoundError", "model", 404));
            }
            JsonNode input = root.path("input");
            int inputs = input.isArray() && input.size() > 0 && !input.get(0).isNumber() ? input.size() : 1;
            int promptTokens = Math.max(1, input.toString().length() / SimRequest.CHARS_PER_TOKEN);
            return json(response, 200, EngineResponses.embeddings(settings.modelName(), promptTokens, inputs));
        });
    }

    private Publisher<Void> prefixCache(HttpServerRequest request, HttpServerResponse response) {
        return body(request).flatMap(body -> {
            GenerationRequest generation;
            try {
                generation = GenerationRequest.parseEither(body, settings.modelName(), settings.defaultMaxTokens());
            } catch (GenerationRequest.Invalid invalid) {
                return json(response, invalid.status, invalid.getMessage());
            }
            SimRequest simRequest = generation.toSimRequest();
            return json(response, 200, "{\"cached_tokens\":" + model.cachedPrefixTokens(simRequest.prompt())
                    + ",\"prompt_tokens\":" + simRequest.promptTokens() + "}");
        });
    }

    private Mono<Void> metrics(HttpServerResponse response) {
        String text = model.metricsText(settings.modelName());
        if (text == null) {
            return response.status(HttpResponseStatus.NOT_FOUND).send().then();
        }
        return response.status(200).header(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                .sendString(Mono.just(text)).then();
    }

    private static Mono<byte[]> body(HttpServerRequest request) {
        return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]);
    }

    private static Mono<Void> json(HttpServerResponse response, int status, String body) {
        return response.status(status).header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .sendString(Mono.just(body)).then();
    }

    private static ByteBuf utf8(String text) {
        return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
    }

    private void remember(HttpServerRequest request, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        Map<String, List<String>> allValues = new LinkedHashMap<>();
        request.requestHeaders().forEach(h -> {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            headers.putIfAbsent(name, h.getValue());
            allValues.computeIfAbsent(name, n -> new ArrayList<>()).add(h.getValue());
        });
        recent.addLast(new ReceivedRequest(request.uri(), headers, allValues, body));
        if (remembered.incrementAndGet() > REMEMBERED_REQUESTS && recent.pollFirst() != null) {
            remembered.decrementAndGet();
        }
    }
}
