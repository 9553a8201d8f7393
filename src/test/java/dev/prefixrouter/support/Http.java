package dev.prefixrouter.support;

import java.time.Duration;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Clients for a router or engine under test. */
public final class Http {

    private Http() {
    }

    public static WebTestClient client(int port) {
        return WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(32 * 1024 * 1024))
                .build();
    }

    /** A chat body with one user message. */
    public static String chat(String model, String content, boolean stream, int maxTokens) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
    }
}
