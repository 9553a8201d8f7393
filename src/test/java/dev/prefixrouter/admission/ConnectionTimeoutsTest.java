package dev.prefixrouter.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A client connection's timeouts, over raw sockets: idle between requests it is closed after
 * {@code router.limits.idle-timeout}, however long a request in flight takes; a request body that stops arriving
 * for {@code router.limits.body-read-timeout} gets 408 and the connection closes, one that keeps arriving, however
 * slowly, is served.
 */
@RouterTest(properties = {"router.limits.idle-timeout=1s", "router.limits.admission-timeout=300ms",
        "router.limits.body-read-timeout=1500ms"})
class ConnectionTimeoutsTest {

    private static final SimulatedFleet fleet = new SimulatedFleet();

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        fleet.start("fast", Duration.ofMillis(1), Duration.ofMillis(1));
        fleet.start("slow", Duration.ofMillis(2500), Duration.ZERO); // answers after 2.5 s, past the idle timeout
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

    @BeforeEach
    void awaitFleet() {
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 2);
    }

    @Test
    void aConnectionIdleBetweenRequestsIsClosedAfterTheIdleTimeout() throws IOException {
        try (Socket socket = connect()) {
            for (int i = 0; i < 2; i++) { // the second request restarts the count
                send(socket, Http.chat("fast", "hello " + i, false, 2));
                assertThat(readResponse(socket)).startsWith("HTTP/1.1 200").contains("chat.completion");
            }
            long answered = System.nanoTime();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - answered))
                    .isBetween(Duration.ofMillis(700), Duration.ofSeconds(5));
        }
    }

    @Test
    void aConnectionThatNeverSendsARequestIsClosedAfterTheIdleTimeout() throws IOException {
        try (Socket socket = connect()) {
            long opened = System.nanoTime();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - opened))
                    .isBetween(Duration.ofMillis(700), Duration.ofSeconds(5));
        }
    }

    @Test
    void aRequestInFlightLongerThanTheIdleTimeoutIsAnsweredAndItsConnectionKept() throws IOException {
        try (Socket socket = connect()) {
            send(socket, Http.chat("slow", "take your time", false, 2));
            assertThat(readResponse(socket)).startsWith("HTTP/1.1 200").contains("chat.completion");
            send(socket, Http.chat("fast", "and now quickly", false, 2)); // the same connection, still open
            assertThat(readResponse(socket)).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aBodyThatStopsArrivingIs408AndItsConnectionClosed() throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(head(5000).getBytes(StandardCharsets.US_ASCII));
            out.write("{\"model\":\"fast\",".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long stopped = System.nanoTime();
            String response = readToEnd(socket);
            assertThat(response).startsWith("HTTP/1.1 408").contains("request_timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - stopped))
                    .isBetween(Duration.ofMillis(1200), Duration.ofSeconds(6));
        }
    }

    @Test
    void aBodyArrivingSlowlyButSteadilyIsServed() throws Exception {
        byte[] body = Http.chat("fast", "slowly", false, 2).getBytes(StandardCharsets.UTF_8);
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(head(body.length).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // Six pieces 600 ms apart: 3 s in all, twice the read timeout, no pause as long as it.
            int piece = (body.length + 5) / 6;
            for (int from = 0; from < body.length; from += piece) {
                Thread.sleep(600);
                out.write(body, from, Math.min(piece, body.length - from));
                out.flush();
            }
            assertThat(readResponse(socket)).startsWith("HTTP/1.1 200").contains("chat.completion");
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        return socket;
    }

    private static String head(int contentLength) {
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + contentLength + "\r\n\r\n";
    }

    private static void send(Socket socket, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(head(body.length).getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    /** One response of announced length, leaving the connection open. */
    private static String readResponse(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static String readToEnd(Socket socket) throws IOException {
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
