package dev.prefixrouter.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.EngineSpec;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.routing.ResponseAffinity;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The rest of the surface vLLM serves, through the router as against an engine: every route, the Responses API's
 * follow-ups reaching the engine that stores the response across a fleet of four, and the errors.
 */
@RouterTest(properties = "router.routing.policy=round-robin")
class OpenAiSurfaceTest {

    private static final SimulatedFleet fleet = new SimulatedFleet();
    private static final Pattern ID = Pattern.compile("\"id\":\"(resp_[0-9a-f]+)\"");

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        for (int i = 0; i < 4; i++) {
            fleet.start("m", Duration.ofMillis(1), Duration.ofMillis(1));
        }
        fleet.register(registry);
    }

    @AfterAll
    static void stopEngines() {
        fleet.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    Fleet routerFleet;

    @Autowired
    ResponseAffinity affinity;

    WebTestClient router;
    WebTestClient engine;

    @BeforeEach
    void awaitFleet() {
        router = Http.client(port);
        engine = Http.client(fleet.get(0).port());
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 4);
    }

    private WebTestClient.ResponseSpec post(WebTestClient client, String path, String body) {
        return client.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/tokenize   | {\"model\":\"m\",\"prompt\":\"count my tokens\"}                        | $.count",
            "/tokenize   | {\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}  | $.tokens",
            "/detokenize | {\"model\":\"m\",\"tokens\":[1,2,3]}                                   | $.prompt",
            "/v1/rerank  | {\"model\":\"m\",\"query\":\"q\",\"documents\":[\"a\",\"b\"]}           | $.results[1].index",
            "/rerank     | {\"model\":\"m\",\"query\":\"q\",\"documents\":[{\"text\":\"a\"}]}      | $.results[0].document.text",
            "/v1/score   | {\"model\":\"m\",\"text_1\":\"q\",\"text_2\":[\"a\",\"b\"]}             | $.data[1].score",
            "/score      | {\"model\":\"m\",\"text_1\":\"q\",\"text_2\":\"a\"}                     | $.data[0].score",
            "/pooling    | {\"model\":\"m\",\"input\":\"pool me\"}                                 | $.data[0].data",
            "/classify   | {\"model\":\"m\",\"input\":[\"good\",\"bad\"]}                          | $.data[0].label",
            "/v1/responses | {\"model\":\"m\",\"input\":\"hello\",\"instructions\":\"be terse\"}    | $.output[0].content[0].text"})
    void everyRouteAnswersThroughTheRouterAsTheEngineDoes(String path, String body, String field) {
        String direct = post(engine, path, body).expectStatus().isOk().expectBody(String.class).returnResult()
                .getResponseBody();
        post(router, path, body).expectStatus().isOk().expectBody().jsonPath(field).exists();
        post(router, path, body.replace("\"m\"", "\"nope\"")).expectStatus().isNotFound()
                .expectBody().jsonPath("$.error.code").isEqualTo("model_not_found");
        assertThat(direct).isNotBlank();
    }

    /** A multipart form as a client library writes it; built by hand so no file or resource is read. */
    private static byte[] form(String boundary, boolean withModel) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String head = (withModel ? "--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nm\r\n"
                : "--" + boundary + "\r\nContent-Disposition: form-data; name=\"language\"\r\n\r\nen\r\n")
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"speech.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[64 * 1024]);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    @Test
    void audioIsRoutedByTheModelFieldOfItsMultipartBody() {
        MediaType multipart = MediaType.parseMediaType("multipart/form-data; boundary=b0undary");
        for (String path : List.of("/v1/audio/transcriptions", "/v1/audio/translations")) {
            router.post().uri(path).contentType(multipart).bodyValue(form("b0undary", true)).exchange()
                    .expectStatus().isOk().expectBody().jsonPath("$.text").isNotEmpty();
            router.post().uri(path).contentType(multipart).bodyValue(form("b0undary", false)).exchange()
                    .expectStatus().isBadRequest().expectBody().jsonPath("$.error.param").isEqualTo("model");
        }
    }

    private String create(boolean stream) {
        String body = post(router, "/v1/responses", "{\"model\":\"m\",\"stream\":" + stream
                + ",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"remember me\"}]}]}")
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        Matcher id = ID.matcher(body);
        assertThat(id.find()).as(body).isTrue();
        return id.group(1);
    }

    @Test
    void followUpsReachTheEngineThatStoresTheResponseAcrossAFleetOfFour() {
        for (boolean stream : new boolean[] {false, true}) {
            String id = create(stream);
            String holder = affinity.engineOf(id).orElseThrow();
            for (int i = 0; i < 6; i++) { // round-robin would spread these over all four engines
                post(router, "/v1/responses", "{\"model\":\"m\",\"previous_response_id\":\"" + id
                        + "\",\"input\":\"and then? " + i + "\"}").expectStatus().isOk()
                        .expectBody().jsonPath("$.previous_response_id").isEqualTo(id);
            }
            router.get().uri("/v1/responses/" + id).exchange().expectStatus().isOk()
                    .expectBody().jsonPath("$.id").isEqualTo(id);
            router.post().uri("/v1/responses/" + id + "/cancel").exchange().expectStatus().isOk();
            assertThat(affinity.engineOf(id)).contains(holder);
            router.delete().uri("/v1/responses/" + id).exchange().expectStatus().isOk()
                    .expectBody().jsonPath("$.deleted").isEqualTo(true);
            router.get().uri("/v1/responses/" + id).exchange().expectStatus().isNotFound()
                    .expectBody().jsonPath("$.error.code").isEqualTo("response_not_found");
        }
    }

    @Test
    void aFollowUpWhoseEngineLeftGetsAClearError() {
        String id = create(false);
        String holder = affinity.engineOf(id).orElseThrow();
        EngineSimulator simulator = fleet.engines().stream().filter(e -> routerFleet.find(holder).orElseThrow()
                .url().toString().equals(e.baseUrl())).findFirst().orElseThrow();
        routerFleet.remove(holder);
        try {
            post(router, "/v1/responses", "{\"model\":\"m\",\"previous_response_id\":\"" + id
                    + "\",\"input\":\"still there?\"}").expectStatus().isNotFound().expectBody()
                    .jsonPath("$.error.code").isEqualTo("previous_response_not_found")
                    .jsonPath("$.error.message").value(message -> assertThat((String) message)
                            .contains("left the fleet", "whole conversation"));
        } finally {
            routerFleet.add(new EngineSpec(holder, URI.create(simulator.baseUrl()), List.of(), null));
        }
        router.get().uri("/v1/responses/resp_unknown").exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.error.code").isEqualTo("response_not_found");
    }

    @Test
    void theCollectionOfResponsesIsNotARoute() {
        router.get().uri("/v1/responses").exchange().expectStatus().isEqualTo(405);
    }
}
