package dev.prefixrouter.sim;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The rest of the OpenAI-style surface vLLM serves, answered in its formats with deterministic content, so that a
 * router can be tested against it: the Responses API (stored responses kept in this engine's memory, as vLLM does,
 * with follow-ups by {@code previous_response_id}, GET, DELETE and cancel), {@code /tokenize} and
 * {@code /detokenize}, rerank and score (both with and without {@code /v1}), {@code /pooling}, {@code /classify},
 * and audio transcription and translation (multipart bodies). A request for another model gets vLLM's 404.
 */
final class ExtraEndpoints {

    private static final int STORED_RESPONSES = 10_000;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String modelName;
    private final int defaultMaxTokens;
    private final EngineModel model;
    private final BiConsumer<HttpServerRequest, byte[]> remember;
    private final long created = System.currentTimeMillis() / 1000;
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, String> stored = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > STORED_RESPONSES;
        }
    };

    ExtraEndpoints(String modelName, int defaultMaxTokens, EngineModel model,
            BiConsumer<HttpServerRequest, byte[]> remember) {
        this.modelName = modelName;
        this.defaultMaxTokens = defaultMaxTokens;
        this.model = model;
        this.remember = remember;
    }

    /** Adds the routes to the engine's server. */
    HttpServerRoutes register(HttpServerRoutes routes) {
        return routes
                .post("/v1/responses", (request, response) -> json(request, response, this::respond, true))
                .get("/v1/responses/{id}", (request, response) -> lookUp(response, request.param("id"), false))
                .delete("/v1/responses/{id}", (request, response) -> lookUp(response, request.param("id"), true))
                .post("/v1/responses/{id}/cancel", (request, response) ->
                        lookUp(response, request.param("id"), false))
                .post("/tokenize", (request, response) -> json(request, response, this::tokenize, false))
                .post("/detokenize", (request, response) -> json(request, response, this::detokenize, false))
                .post("/v1/rerank", (request, response) -> json(request, response, this::rerank, false))
                .post("/rerank", (request, response) -> json(request, response, this::rerank, false))
                .post("/v1/score", (request, response) -> json(request, response, this::score, false))
                .post("/score", (request, response) -> json(request, response, this::score, false))
                .post("/pooling", (request, response) -> json(request, response, this::pooling, false))
                .post("/classify", (request, response) -> json(request, response, this::classify, false))
                .post("/v1/audio/transcriptions", this::audio)
                .post("/v1/audio/translations", this::audio);
    }

    /** What a JSON endpoint answers: a status and a body, or a stream of server-sent events. */
    private record Answer(int status, String body, Flux<String> events) {
        static Answer of(int status, String body) {
            return new Answer(status, body, null);
        }
    }

    private Publisher<Void> json(HttpServerRequest request, HttpServerResponse response,
            Function<JsonNode, Mono<Answer>> handler, boolean generates) {
        return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]).flatMap(body -> {
            remember.accept(request, body);
            JsonNode root;
            try {
                root = JSON.readTree(body);
            } catch (RuntimeException e) {
                return send(response, Answer.of(400, EngineResponses.error("Invalid JSON: " + e.getMessage(),
                        "BadRequestError", null, 400)));
            }
            if (!root.isObject()) {
                return send(response, Answer.of(400, EngineResponses.error("The body must be a JSON object.",
                        "BadRequestError", null, 400)));
            }
            String requested = root.path("model").asString(modelName);
            if (!modelName.equals(requested)) {
                return send(response, Answer.of(404, EngineResponses.error("The model `" + requested
                        + "` does not exist.", "NotFoundError", "model", 404)));
            }
            return handler.apply(root).flatMap(answer -> send(response, answer));
        });
    }

    private static Mono<Void> send(HttpServerResponse response, Answer answer) {
        if (answer.events() != null) {
            response.status(200).header(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            return response.sendHeaders().then().then(response.send(answer.events()
                    .map(event -> Unpooled.wrappedBuffer(event.getBytes(StandardCharsets.UTF_8))), b -> true)
                    .then());
        }
        return response.status(answer.status()).header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .sendString(Mono.just(answer.body())).then();
    }

    // ---- the Responses API -------------------------------------------------------------------------------------

    private Mono<Answer> respond(JsonNode root) {
        String previous = root.path("previous_response_id").asString(null);
        String earlier;
        synchronized (stored) {
            earlier = previous == null ? null : stored.get(previous);
        }
        if (previous != null && earlier == null) {
            return Mono.just(Answer.of(404, EngineResponses.error("Response with id '" + previous
                    + "' not found.", "invalid_request_error", "previous_response_id", 404)));
        }
        String prompt = root.path("instructions").asString("") + "\n" + texts(root.path("input"));
        int maxTokens = Math.max(1, root.path("max_output_tokens").asInt(defaultMaxTokens));
        boolean store = root.path("store").asBoolean(true);
        // random, as vLLM's (a uuid4's hex): engines of one fleet must not hand out the same id
        String id = "resp_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong())
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        Flux<TokenEvent> tokens = model.generate(new SimRequest(prompt, maxTokens));
        if (!root.path("stream").asBoolean(false)) {
            return tokens.count().map(count -> {
                String body = responseObject(id, prompt, count.intValue(), "completed", previous);
                keep(store, id, body);
                return Answer.of(200, body);
            });
        }
        Flux<String> events = Flux.concat(
                Mono.just(event("response.created", "{\"type\":\"response.created\",\"response\":"
                        + responseObject(id, prompt, 0, "in_progress", previous) + "}")),
                tokens.map(token -> event("response.output_text.delta", "{\"type\":\"response.output_text.delta\","
                        + "\"item_id\":\"msg_" + id + "\",\"output_index\":0,\"content_index\":0,\"delta\":"
                        + quote(EngineResponses.token(prompt, token.index())) + "}")),
                Mono.fromSupplier(() -> {
                    String body = responseObject(id, prompt, maxTokens, "completed", previous);
                    keep(store, id, body);
                    return event("response.completed", "{\"type\":\"response.completed\",\"response\":" + body + "}");
                }));
        return Mono.just(new Answer(200, null, events));
    }

    private void keep(boolean store, String id, String body) {
        if (store) {
            synchronized (stored) {
                stored.put(id, body);
            }
        }
    }

    private Mono<Void> lookUp(HttpServerResponse response, String id, boolean delete) {
        String body;
        synchronized (stored) {
            body = delete ? stored.remove(id) : stored.get(id);
        }
        if (body == null) {
            return send(response, Answer.of(404, EngineResponses.error("Response with id '" + id + "' not found.",
                    "invalid_request_error", null, 404)));
        }
        return send(response, Answer.of(200, delete ? "{\"id\":\"" + id + "\",\"object\":\"response\","
                + "\"deleted\":true}" : body));
    }

    private String responseObject(String id, String prompt, int tokens, String status, String previous) {
        return "{\"id\":\"" + id + "\",\"object\":\"response\",\"created_at\":" + created + ",\"model\":"
                + quote(modelName) + ",\"status\":\"" + status + "\",\"previous_response_id\":"
                + (previous == null ? "null" : quote(previous)) + ",\"output\":[{\"type\":\"message\",\"id\":\"msg_"
                + id + "\",\"role\":\"assistant\",\"status\":\"" + status + "\",\"content\":[{\"type\":\"output_text\","
                + "\"text\":" + quote(EngineResponses.text(prompt, tokens)) + ",\"annotations\":[]}]}],\"usage\":"
                + "{\"input_tokens\":" + new SimRequest(prompt, 1).promptTokens() + ",\"output_tokens\":" + tokens
                + ",\"total_tokens\":" + (new SimRequest(prompt, 1).promptTokens() + tokens) + "}}";
    }

    private static String event(String type, String data) {
        return "event: " + type + "\ndata: " + data + "\n\n";
    }

    // ---- pooling-style endpoints -------------------------------------------------------------------------------

    /**
     * vLLM's {@code /tokenize}: the ids are {@link SimTokenizer}'s for exactly the text the generation path caches
     * (the chat path's joining of messages, or the completion prompt), so they equal the {@code token_ids} of the
     * {@code BlockStored} events that prompt's blocks produce. {@code add_generation_prompt} changes nothing: the
     * simulator has no chat template.
     */
    private Mono<Answer> tokenize(JsonNode root) {
        String text;
        try {
            text = root.has("messages") ? GenerationRequest.messagesText(root.path("messages"))
                    : GenerationRequest.promptText(root.path("prompt"));
        } catch (GenerationRequest.Invalid invalid) {
            return Mono.just(Answer.of(invalid.status, invalid.getMessage()));
        }
        int[] tokens = SimTokenizer.tokenIds(text);
        StringBuilder body = new StringBuilder(32 + tokens.length * 11).append("{\"count\":").append(tokens.length)
                .append(",\"max_model_len\":131072,\"tokens\":[");
        for (int i = 0; i < tokens.length; i++) {
            body.append(i == 0 ? "" : ",").append(tokens[i]);
        }
        return Mono.just(Answer.of(200, body.append("],\"token_strs\":null}").toString()));
    }

    private Mono<Answer> detokenize(JsonNode root) {
        int count = root.path("tokens").size();
        return Mono.just(Answer.of(200, "{\"prompt\":" + quote(EngineResponses.text("detokenize", count).strip())
                + "}"));
    }

    private Mono<Answer> rerank(JsonNode root) {
        String query = texts(root.path("query"));
        List<String> documents = strings(root.path("documents"));
        StringBuilder results = new StringBuilder("[");
        for (int i = 0; i < documents.size(); i++) {
            results.append(i == 0 ? "" : ",").append("{\"index\":").append(i).append(",\"document\":{\"text\":")
                    .append(quote(documents.get(i))).append("},\"relevance_score\":")
                    .append(relevance(query, documents.get(i))).append('}');
        }
        return Mono.just(Answer.of(200, "{\"id\":\"rerank-" + ids.incrementAndGet() + "\",\"model\":"
                + quote(modelName) + ",\"usage\":{\"total_tokens\":" + SimTokenizer.count(query + documents) + "},"
                + "\"results\":" + results.append(']') + "}"));
    }

    private Mono<Answer> score(JsonNode root) {
        List<String> first = strings(root.path("text_1"));
        List<String> second = strings(root.path("text_2"));
        StringBuilder data = new StringBuilder("[");
        for (int i = 0; i < second.size(); i++) {
            String left = first.isEmpty() ? "" : first.get(Math.min(i, first.size() - 1));
            data.append(i == 0 ? "" : ",").append("{\"index\":").append(i)
                    .append(",\"object\":\"score\",\"score\":").append(relevance(left, second.get(i))).append('}');
        }
        return Mono.just(Answer.of(200, "{\"id\":\"score-" + ids.incrementAndGet() + "\",\"object\":\"list\","
                + "\"created\":" + created + ",\"model\":" + quote(modelName) + ",\"data\":" + data.append(']')
                + ",\"usage\":{\"prompt_tokens\":" + SimTokenizer.count(first + " " + second) + "}}"));
    }

    private Mono<Answer> pooling(JsonNode root) {
        return Mono.just(Answer.of(200, "{\"id\":\"pool-" + ids.incrementAndGet() + "\",\"object\":\"list\","
                + "\"created\":" + created + ",\"model\":" + quote(modelName) + ",\"data\":[{\"index\":0,"
                + "\"object\":\"pooling\",\"data\":[0.25,0.5,0.25]}],\"usage\":{\"prompt_tokens\":"
                + SimTokenizer.count(texts(root.path("input"))) + "}}"));
    }

    private Mono<Answer> classify(JsonNode root) {
        String input = texts(root.path("input"));
        double positive = relevance("positive", input);
        return Mono.just(Answer.of(200, "{\"id\":\"classify-" + ids.incrementAndGet() + "\",\"object\":\"list\","
                + "\"created\":" + created + ",\"model\":" + quote(modelName) + ",\"data\":[{\"index\":0,"
                + "\"label\":\"" + (positive >= 0.5 ? "positive" : "negative") + "\",\"probs\":[" + (1 - positive)
                + "," + positive + "],\"num_classes\":2}],\"usage\":{\"prompt_tokens\":" + SimTokenizer.count(input)
                + "}}"));
    }

    /** Multipart audio: the model is a form field; the file's bytes are read and ignored. */
    private Publisher<Void> audio(HttpServerRequest request, HttpServerResponse response) {
        String contentType = request.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE, "");
        return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]).flatMap(body -> {
            remember.accept(request, body);
            String requested = Multipart.field(body, contentType, "model");
            if (requested == null) {
                return send(response, Answer.of(400, EngineResponses.error("A multipart/form-data body with a"
                        + " 'model' field is required.", "BadRequestError", "model", 400)));
            }
            if (!modelName.equals(requested)) {
                return send(response, Answer.of(404, EngineResponses.error("The model `" + requested
                        + "` does not exist.", "NotFoundError", "model", 404)));
            }
            return send(response, Answer.of(200, "{\"text\":" + quote(EngineResponses.text("audio of "
                    + body.length + " bytes", 8).strip()) + "}"));
        });
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /** The text of a string, of the strings in an array, or of message-like items' content, joined by newlines. */
    private static String texts(JsonNode node) {
        StringBuilder out = new StringBuilder();
        collect(node, out);
        return out.toString();
    }

    private static void collect(JsonNode node, StringBuilder out) {
        if (node.isString()) {
            out.append(out.isEmpty() ? "" : "\n").append(node.asString());
        } else if (node.isArray()) {
            node.forEach(element -> collect(element, out));
        } else if (node.isObject()) {
            collect(node.has("content") ? node.path("content") : node.path("text"), out);
        }
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(element -> out.add(texts(element)));
        } else if (!node.isMissingNode() && !node.isNull()) {
            out.add(texts(node));
        }
        return out;
    }



    private static double relevance(String query, String document) {
        return Math.floorMod((query + "\u0000" + document).hashCode(), 1000) / 1000.0;
    }

    private static String quote(String text) {
        ObjectNode holder = JSON.createObjectNode();
        holder.put("t", text);
        String json = holder.toString();
        return json.substring(5, json.length() - 1);
    }
}
