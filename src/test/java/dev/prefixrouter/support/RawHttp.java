package dev.prefixrouter.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 written by hand over a socket, for the header lines ordinary clients will not send as given (a
 * {@code Connection} header naming other headers, a header repeated over several lines). The request should ask
 * for {@code Connection: close}: the response is read until the server closes.
 */
public final class RawHttp {

    private RawHttp() {
    }

    /**
     * Sends {@code head} (request line and header lines, without the blank line) and {@code body} to the server on
     * {@code port}, with a {@code Content-Length} added; returns the whole response as text.
     */
    public static String exchange(int port, String head, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String request = head.strip().replace("\n", "\r\n").replace("\r\r\n", "\r\n")
                + "\r\nContent-Length: " + bytes.length + "\r\n\r\n";
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            in.transferTo(response);
            return response.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The status code of a response returned by {@link #exchange}. */
    public static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }
}
