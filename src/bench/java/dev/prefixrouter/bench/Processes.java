package dev.prefixrouter.bench;

import dev.prefixrouter.PrefixRouterApplication;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starting the router (this build or a given jar) or simulated engines as processes, on free loopback ports. */
final class Processes {

    private Processes() {
    }

    /**
     * {@code java <jvm> (-jar jar | -cp <this class path> PrefixRouterApplication) <args>}, its output in a temporary
     * log file.
     */
    static Process java(List<String> jvm, String jar, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvm);
        if (jar != null) {
            command.addAll(List.of("-jar", jar));
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                    PrefixRouterApplication.class.getName()));
        }
        command.addAll(args);
        Path log = Files.createTempFile("bench-" + (args.isEmpty() ? "x" : args.get(0).replaceAll("\\W", "")),
                ".log");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The first of {@code count} consecutive free ports. */
    static int freePorts(int count) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first;
            try (ServerSocket socket = new ServerSocket(0)) {
                first = socket.getLocalPort();
            }
            boolean free = first + count <= 65535;
            for (int p = first; p < first + count && free; p++) {
                try (ServerSocket probe = new ServerSocket(p)) {
                    probe.setReuseAddress(true);
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return first;
            }
        }
        throw new IOException("no " + count + " consecutive free ports");
    }
}
