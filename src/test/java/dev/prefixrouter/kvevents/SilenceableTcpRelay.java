package dev.prefixrouter.kvevents;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP relay to a local port whose open connections can be silenced: they stay open on both sides, but
 * nothing crosses them any more, as a peer looks when its node is lost or the network partitions (no FIN, no RST).
 * Connections made afterwards are relayed normally. Plain sockets and threads, for tests only.
 */
final class SilenceableTcpRelay implements AutoCloseable {

    private final int targetPort;
    private final ServerSocket server;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();

    SilenceableTcpRelay(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "relay-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String endpoint() {
        return "tcp://127.0.0.1:" + server.getLocalPort();
    }

    /** Connections accepted so far. */
    int connections() {
        return accepted.get();
    }

    /** From now on, the connections open now relay nothing (what they read is discarded) but stay open. */
    void silenceOpenConnections() {
        links.forEach(link -> link.silenced = true);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                accepted.incrementAndGet();
                Link link = new Link(client, target);
                links.add(link);
                pump(link, client, target);
                pump(link, target, client);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** Copies {@code from} to {@code to} until either ends; a silenced link discards, and is left open. */
    private static void pump(Link link, Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int read;
                while ((read = in.read(buffer)) != -1) {
                    if (!link.silenced) {
                        out.write(buffer, 0, read);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // one side went away
            }
            if (!link.silenced) {
                link.close();
            }
        }, "relay-pump");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        links.forEach(Link::close);
    }

    private static final class Link {
        final Socket client;
        final Socket target;
        volatile boolean silenced;

        Link(Socket client, Socket target) {
            this.client = client;
            this.target = target;
        }

        void close() {
            try {
                client.close();
                target.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
