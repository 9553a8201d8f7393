package dev.prefixrouter.bench;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The benchmark's HTTP client: Reactor Netty, non-blocking, so hundreds of concurrent streams share the event
 * loops instead of needing a thread each. Streams chat completions (measuring as the buffers arrive), and does the
 * small JSON and text calls the benchmark needs (engine metrics, the oracle's probes, the router's actuator).
 */
public final class ChatClient implements AutoCloseable {

    private final ConnectionProvider connections;
    private final HttpClient http;
    private final Duration requestTimeout;

    public ChatClient(Duration requestTimeout) {
        this.connections = ConnectionProvider.builder("bench").maxConnections(2048).pendingAcquireMaxCount(-1)
                .maxIdleTime(Duration.ofSeconds(3)).build();
        this.http = HttpClient.create(connections);
        this.requestTimeout = requestTimeout;
    }

    /**
     * POSTs a streaming chat body to {@code url} and reads the stream to its end. Never fails: a failure is a
     * result with an error.
     */
    public Mono<RequestResult> stream(String url, String sessionId, String body, long user, int round,
            long startNanos) {
        return http.headers(headers -> {
                    headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                    if (sessionId != null) {
                        headers.set("x-session-id", sessionId);
                    }
                })
                .post().uri(url)
                .send(ByteBufFlux.fromString(Mono.just(body), StandardCharsets.UTF_8,
                        io.netty.buffer.ByteBufAllocator.DEFAULT))
                .response((response, content) -> {
                    if (response.status().code() != 200) {
                        return content.aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                                .map(text -> RequestResult.failed(user, round, startNanos,
                                        "HTTP " + response.status().code() + ": " + abbreviate(text)));
                    }
                    SseResponse sse = new SseResponse();
                    return content.asString(StandardCharsets.UTF_8)
                            .doOnNext(text -> sse.feed(text, System.nanoTime()))
                            .then(Mono.fromSupplier(() -> sse.result(user, round, startNanos, System.nanoTime())));
                })
                .next()
                .timeout(requestTimeout)
                .onErrorResume(error -> Mono.just(RequestResult.failed(user, round, startNanos,
                        error.getClass().getSimpleName() + ": " + error.getMessage())));
    }

    /** GET {@code url}'s body as text; fails on a non-2xx status. */
    public Mono<String> get(String url) {
        return http.get().uri(url).responseSingle((response, body) -> body.asString(StandardCharsets.UTF_8)
                .defaultIfEmpty("")
                .flatMap(text -> ok(response.status().code(), url, text)));
    }

    /** POST a JSON body to {@code url}, the response as text; fails on a non-2xx status. */
    public Mono<String> post(String url, String json) {
        return http.headers(headers -> headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json"))
                .post().uri(url)
                .send(ByteBufFlux.fromString(Mono.just(json)))
                .responseSingle((response, body) -> body.asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                        .flatMap(text -> ok(response.status().code(), url, text)));
    }

    private static Mono<String> ok(int status, String url, String text) {
        return status / 100 == 2 ? Mono.just(text)
                : Mono.error(new IllegalStateException(url + " answered " + status + ": " + abbreviate(text)));
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    @Override
    public void close() {
        connections.disposeLater().block(Duration.ofSeconds(10));
    }
}
