package dev.prefixrouter.bench;

import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.sim.Fault;
import dev.prefixrouter.sim.FixedLatencyModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fault drill: 16 clients (half streaming chat, a quarter chat, a quarter completions, each waiting at most 30 s)
 * against a router process in front of three simulated engines, while the engines fail one after the other: one
 * is killed and later restarted on its port, one answers 503 for a while, one accepts requests and answers none
 * for 10 s (the requests it took meanwhile never get an answer from it). At every moment at least one engine is
 * healthy, so every request could be served. Reports how many were, by phase. Run by
 * {@code mvn -B -Pbench test-compile exec:exec -Dbench.main=dev.prefixrouter.bench.FaultDrill
 * [-Dbench.args="--router-jar=..."]}.
 */
public final class FaultDrill {

    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
    private static final int CLIENTS = 16;

    private FaultDrill() {
    }

    record Outcome(long startedMillis, String kind, String result) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            int equals = arg.indexOf('=');
            options.put(arg.substring(2, equals), arg.substring(equals + 1));
        }
        int enginePort = Processes.freePorts(3);
        EngineSimulator[] engines = new EngineSimulator[3];
        for (int i = 0; i < 3; i++) {
            engines[i] = engine(enginePort + i);
        }
        int port = Processes.freePorts(1);
        List<String> arguments = new ArrayList<>(List.of("--server.port=" + port,
                "--management.server.port=" + Processes.freePorts(1)));
        for (int i = 0; i < 3; i++) {
            arguments.add("--router.backends[" + i + "].id=e" + i);
            arguments.add("--router.backends[" + i + "].url=http://127.0.0.1:" + (enginePort + i));
        }
        Process router = Processes.java(List.of("-Xmx1g"), options.get("router-jar"), arguments);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        awaitHealthy(client, port);
        System.out.println("fault drill: router " + options.getOrDefault("router-jar", "of this build"));

        long start = System.currentTimeMillis();
        long end = start + 45_000;
        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        AtomicLong counter = new AtomicLong();
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(CLIENTS);
        for (int c = 0; c < CLIENTS; c++) {
            int clientId = c;
            loops.add(CompletableFuture.runAsync(() -> {
                while (System.currentTimeMillis() < end) {
                    long n = counter.incrementAndGet();
                    String kind = n % 4 < 2 ? "stream" : n % 4 == 2 ? "chat" : "completion";
                    long started = System.currentTimeMillis() - start;
                    outcomes.add(new Outcome(started, kind, request(client, port, kind, clientId + "-" + n)));
                }
            }, clients));
        }
        schedule(start, 5_000, () -> {
            engines[0].close();
            System.out.println("t=5s   e0 killed");
        });
        schedule(start, 12_000, () -> {
            engines[0] = engine(enginePort);
            System.out.println("t=12s  e0 restarted");
        });
        schedule(start, 15_000, () -> {
            engines[1].fault(Fault.UNAVAILABLE);
            System.out.println("t=15s  e1 answers 503");
        });
        schedule(start, 22_000, () -> {
            engines[1].fault(Fault.NONE);
            System.out.println("t=22s  e1 well again");
        });
        schedule(start, 25_000, () -> {
            engines[2].fault(Fault.HANG);
            System.out.println("t=25s  e2 accepts requests and answers none");
        });
        schedule(start, 35_000, () -> {
            engines[2].fault(Fault.NONE);
            System.out.println("t=35s  e2 answers again (what it took meanwhile stays unanswered)");
        });
        CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        router.destroyForcibly();
        for (EngineSimulator engine : engines) {
            engine.close();
        }

        System.out.println();
        System.out.println("| phase | requests started | succeeded | failed (why) |");
        System.out.println("|---|---|---|---|");
        row(outcomes, "all engines healthy (0–5 s)", 0, 5_000);
        row(outcomes, "e0 killed (5–12 s)", 5_000, 12_000);
        row(outcomes, "e1 answers 503 (15–22 s)", 15_000, 22_000);
        row(outcomes, "e2 hangs (25–35 s)", 25_000, 35_000);
        row(outcomes, "whole drill (0–45 s)", 0, 45_000);
        System.exit(0);
    }

    private static void row(ConcurrentLinkedQueue<Outcome> outcomes, String phase, long from, long to) {
        List<Outcome> in = outcomes.stream().filter(o -> o.startedMillis() >= from && o.startedMillis() < to)
                .toList();
        long ok = in.stream().filter(o -> o.result().equals("ok")).count();
        Map<String, Long> failures = new TreeMap<>();
        in.stream().filter(o -> !o.result().equals("ok"))
                .forEach(o -> failures.merge(o.kind() + ": " + o.result(), 1L, Long::sum));
        System.out.printf(Locale.ROOT, "| %s | %d | %d (%.1f %%) | %s |%n", phase, in.size(), ok,
                in.isEmpty() ? 0 : 100.0 * ok / in.size(), failures.isEmpty() ? "" : failures.toString());
    }

    private static String request(HttpClient client, int port, String kind, String id) {
        String path = kind.equals("completion") ? "/v1/completions" : "/v1/chat/completions";
        String body = kind.equals("completion")
                ? "{\"model\":\"drill\",\"max_tokens\":20,\"prompt\":\"question " + id + "\"}"
                : "{\"model\":\"drill\",\"max_tokens\":20,\"stream\":" + kind.equals("stream")
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"question " + id + "\"}]}";
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(CLIENT_TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return "HTTP " + response.statusCode();
            }
            boolean complete = kind.equals("stream") ? response.body().endsWith("data: [DONE]\n\n")
                    && !response.body().contains("\"error\"") : response.body().contains("\"choices\"");
            return complete ? "ok" : "broken stream";
        } catch (java.net.http.HttpTimeoutException e) {
            return "client gave up after 30 s";
        } catch (Exception e) {
            return e.getClass().getSimpleName();
        }
    }

    private static EngineSimulator engine(int port) {
        return EngineSimulator.start(new EngineSimulator.Settings("127.0.0.1", port, "drill", 20),
                new FixedLatencyModel(Duration.ofMillis(50), Duration.ofMillis(20)));
    }

    private static void schedule(long start, long at, Runnable action) {
        CompletableFuture.delayedExecutor(Math.max(0, start + at - System.currentTimeMillis()), TimeUnit.MILLISECONDS)
                .execute(action);
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
            } catch (java.io.IOException starting) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the router did not see its three engines healthy within 90 s");
    }
}
