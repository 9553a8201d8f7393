package dev.prefixrouter.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Bursts of concurrent streaming chats with long prompts against a router process with a given heap, to see what
 * the router holds and whether it survives: for each case, simulated engines in their own process (slow streams),
 * a router process ({@code -XmxN -XX:+ExitOnOutOfMemoryError}, this build or {@code --router-jar}), then the
 * burst. Reported per case: requests completed, refused (503 overloaded), failed otherwise; whether the process
 * survived and served a request right after; peak RSS, peak heap used and peak direct-buffer memory (sampled every
 * 50 ms from /proc and the router's Prometheus endpoint); and wall time. Run by
 * {@code mvn -B -Pbench test-compile exec:exec -Dbench.main=dev.prefixrouter.bench.BurstBenchmark
 * -Dbench.args="--cases=512m:300x2MB,512m:1000x256KB"}; prints a Markdown table.
 */
public final class BurstBenchmark {

    private BurstBenchmark() {
    }

    /** One burst: router heap, concurrent requests, prompt bytes each. */
    record Case(String heap, int requests, int promptBytes) {

        static Case parse(String text) {
            String[] heapAndLoad = text.split(":");
            String[] load = heapAndLoad[1].toLowerCase(Locale.ROOT).split("x");
            return new Case(heapAndLoad[0], Integer.parseInt(load[0]), bytes(load[1]));
        }

        private static int bytes(String size) {
            if (size.endsWith("mb")) {
                return Integer.parseInt(size.substring(0, size.length() - 2)) << 20;
            }
            if (size.endsWith("kb")) {
                return Integer.parseInt(size.substring(0, size.length() - 2)) << 10;
            }
            return Integer.parseInt(size);
        }

        String describe() {
            return requests + " × " + (promptBytes >= 1 << 20 ? (promptBytes >> 20) + " MB" : (promptBytes >> 10)
                    + " KB");
        }
    }

    record Outcome(Case burst, Map<String, Integer> results, boolean survived, boolean servedAfter, long peakRss,
            long peakHeap, long peakDirect, double seconds) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            int equals = arg.indexOf('=');
            options.put(arg.substring(2, equals), arg.substring(equals + 1));
        }
        List<Case> cases = new ArrayList<>();
        for (String text : options.getOrDefault("cases", "512m:300x2MB,512m:1000x256KB").split(",")) {
            cases.add(Case.parse(text.trim()));
        }
        int tokens = Integer.parseInt(options.getOrDefault("tokens", "100"));
        String itl = options.getOrDefault("itl", "100ms");
        String routerJar = options.get("router-jar");
        List<String> routerArgs = options.containsKey("router-args")
                ? List.of(options.get("router-args").split(" ")) : List.of();
        System.out.println("burst benchmark: engines stream " + tokens + " tokens " + itl + " apart; router "
                + (routerJar == null ? "of this build" : routerJar) + " " + String.join(" ", routerArgs));
        List<Outcome> outcomes = new ArrayList<>();
        for (Case burst : cases) {
            Outcome outcome = run(burst, tokens, itl, routerJar, routerArgs);
            outcomes.add(outcome);
            System.out.println(row(outcome));
        }
        System.out.println();
        System.out.println("| router heap | burst | completed | refused (503) | failed | survived, then served |"
                + " peak RSS | peak heap used | peak direct | wall |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        outcomes.forEach(outcome -> System.out.println(row(outcome)));
        System.exit(0);
    }

    private static String row(Outcome o) {
        int completed = o.results().getOrDefault("complete", 0);
        int refused = o.results().getOrDefault("overloaded", 0);
        int failed = o.burst().requests() - completed - refused;
        return String.format(Locale.ROOT, "| %s | %s | %d | %d | %d%s | %s | %d MB | %d MB | %d MB | %.0f s |",
                o.burst().heap(), o.burst().describe(), completed, refused, failed,
                failed == 0 ? "" : " " + failures(o.results()), o.survived() ? (o.servedAfter() ? "yes, yes" : "yes, no")
                        : "**no**", o.peakRss() >> 20, o.peakHeap() >> 20, o.peakDirect() >> 20, o.seconds());
    }

    private static String failures(Map<String, Integer> results) {
        Map<String, Integer> other = new TreeMap<>(results);
        other.remove("complete");
        other.remove("overloaded");
        return other.toString();
    }

    private static Outcome run(Case burst, int tokens, String itl, String routerJar, List<String> routerArgs)
            throws Exception {
        List<Process> processes = new ArrayList<>();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try {
            int enginePort = Processes.freePorts(3);
            processes.add(Processes.java(List.of("-Xmx3g"), null, List.of("sim", "--port=" + enginePort, "--engines=3",
                    "--engine-model=fixed", "--ttft=0ms", "--itl=" + itl, "--max-tokens=" + tokens)));
            int port = Processes.freePorts(1);
            int management = Processes.freePorts(1);
            List<String> arguments = new ArrayList<>(List.of("--server.port=" + port,
                    "--management.server.port=" + management, "--router.health-check.interval=200ms"));
            for (int i = 0; i < 3; i++) {
                arguments.add("--router.backends[" + i + "].id=e" + i);
                arguments.add("--router.backends[" + i + "].url=http://127.0.0.1:" + (enginePort + i));
            }
            arguments.addAll(routerArgs);
            Process router = Processes.java(List.of("-Xmx" + burst.heap(), "-XX:+ExitOnOutOfMemoryError"), routerJar,
                    arguments);
            processes.add(router);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            awaitHealthy(client, port);

            AtomicLong rss = new AtomicLong();
            AtomicLong heap = new AtomicLong();
            AtomicLong direct = new AtomicLong();
            sampler.scheduleAtFixedRate(() -> sample(router, client, management, rss, heap, direct), 0, 50,
                    TimeUnit.MILLISECONDS);
            byte[] filler = "lorem ipsum dolor sit amet ".repeat(burst.promptBytes() / 27)
                    .getBytes(StandardCharsets.UTF_8);
            long start = System.nanoTime();
            List<CompletableFuture<String>> requests = new ArrayList<>();
            for (int i = 0; i < burst.requests(); i++) {
                requests.add(chat(client, port, i, filler, tokens));
            }
            Map<String, Integer> results = new TreeMap<>();
            for (CompletableFuture<String> request : requests) {
                results.merge(request.get(10, TimeUnit.MINUTES), 1, Integer::sum);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            boolean survived = router.isAlive();
            boolean servedAfter = survived && "complete".equals(chat(client, port, -1, "after".getBytes(
                    StandardCharsets.UTF_8), tokens).get(2, TimeUnit.MINUTES));
            sampler.shutdownNow();
            return new Outcome(burst, results, survived, servedAfter, rss.get(), heap.get(), direct.get(), seconds);
        } finally {
            sampler.shutdownNow();
            processes.forEach(Process::destroyForcibly);
            for (Process process : processes) {
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static CompletableFuture<String> chat(HttpClient client, int port, int i, byte[] filler, int tokens) {
        byte[] head = ("{\"model\":\"demo-model\",\"stream\":true,\"max_tokens\":" + tokens + ",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"request " + i + ": ").getBytes(StandardCharsets.UTF_8);
        byte[] tail = "\"}]}".getBytes(StandardCharsets.UTF_8);
        Supplier<java.io.InputStream> body = () -> new java.io.SequenceInputStream(java.util.Collections.enumeration(
                List.of(new java.io.ByteArrayInputStream(head), new java.io.ByteArrayInputStream(filler),
                        new java.io.ByteArrayInputStream(tail))));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(body),
                        head.length + filler.length + tail.length))
                .build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
            if (error != null) {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                return cause.getClass().getSimpleName();
            }
            if (response.statusCode() == 200 && response.body().endsWith("data: [DONE]\n\n")) {
                return "complete";
            }
            if (response.statusCode() == 503 && response.body().contains("\"code\":\"overloaded\"")) {
                return "overloaded";
            }
            return "HTTP " + response.statusCode();
        });
    }

    private static void sample(Process router, HttpClient client, int management, AtomicLong rss, AtomicLong heap,
            AtomicLong direct) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + router.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss.accumulateAndGet(Long.parseLong(line.replaceAll("\\D", "")) * 1024, Math::max);
                }
            }
            String metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management
                            + "/actuator/prometheus")).timeout(Duration.ofSeconds(1)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            long heapUsed = 0;
            long directUsed = 0;
            for (String line : metrics.split("\n")) {
                if (line.startsWith("jvm_memory_used_bytes{area=\"heap\"")) {
                    heapUsed += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                } else if (line.startsWith("jvm_buffer_memory_used_bytes{id=\"direct\"")) {
                    directUsed += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            heap.accumulateAndGet(heapUsed, Math::max);
            direct.accumulateAndGet(directUsed, Math::max);
        } catch (Exception e) {
            // a busy or gone router misses a sample; the next one counts
        }
    }

    private static void awaitHealthy(HttpClient client, int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            try {
                String health = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                if (health.contains("\"healthyBackends\":3")) {
                    return;
                }
            } catch (IOException starting) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the router did not see its three engines healthy within 90 s");
    }


}
