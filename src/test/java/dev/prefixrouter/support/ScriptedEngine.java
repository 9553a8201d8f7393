package dev.prefixrouter.support;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.springframework.test.context.DynamicPropertyRegistry;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * An engine whose answers carry response headers a test chooses, which the simulator would never send (a
 * {@code Connection} header naming others, for instance). It serves {@code /health}, {@code /v1/models} for one
 * model, and answers every POST with a small completion and those headers, or, {@linkplain #truncating truncating},
 * with the first half of it under a {@code Content-Length} announcing all of it, then closes the connection.
 * Loopback, random port.
 */
public final class ScriptedEngine implements AutoCloseable {

    private final DisposableServer server;
    private final String model;

    /** Starts an engine serving {@code model} whose POST answers carry {@code headers}. */
    public static ScriptedEngine start(String model, Map<String, String> headers) {
        return new ScriptedEngine(model, headers, false);
    }

    /** Starts an engine serving {@code model} that breaks off every POST answer halfway. */
    public static ScriptedEngine truncating(String model) {
        return new ScriptedEngine(model, Map.of(), true);
    }

    private ScriptedEngine(String model, Map<String, String> headers, boolean truncate) {
        this.model = model;
        String models = "{\"object\":\"list\",\"data\":[{\"id\":\"" + model + "\",\"object\":\"model\"}]}";
        String completion = "{\"id\":\"cmpl-1\",\"object\":\"chat.completion\",\"model\":\"" + model + "\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
                + "\"finish_reason\":\"stop\"}]}";
        this.server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes
                        .get("/health", (request, response) -> response.status(200).send())
                        .get("/v1/models", (request, response) -> response
                                .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                                .sendString(Mono.just(models)))
                        .post("/**", (request, response) -> request.receive().then(Mono.defer(() -> {
                            headers.forEach(response::header);
                            byte[] body = completion.getBytes(StandardCharsets.UTF_8);
                            response.header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                                    .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length));
                            if (!truncate) {
                                return response.sendByteArray(Mono.just(body)).then();
                            }
                            return response.sendObject(Mono.just(new DefaultHttpContent(
                                    Unpooled.wrappedBuffer(body, 0, body.length / 2)))).then()
                                    .then(Mono.<Void>fromRunnable(() -> request.withConnection(
                                            connection -> connection.channel().close())));
                        }))))
                .bindNow();
    }

    /** Configures this engine as the router's {@code router.backends[index]}, serving its model, named {@code id}. */
    public void register(DynamicPropertyRegistry registry, int index, String id) {
        String backend = "router.backends[" + index + "]";
        registry.add(backend + ".id", () -> id);
        registry.add(backend + ".url", this::baseUrl);
        registry.add(backend + ".models[0]", () -> model);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
