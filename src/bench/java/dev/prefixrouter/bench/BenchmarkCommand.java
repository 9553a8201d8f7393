package dev.prefixrouter.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmark's command line: runs the matrix with the given {@code --name=value} parameters and rewrites the
 * output directory ({@code docs/benchmarks/} by default): {@code README.md} (tables and targets),
 * {@code results.json} (every figure, machine-readable) and the charts. Started by
 * {@code mvn -B -Pbench test-compile exec:exec}.
 */
public final class BenchmarkCommand {

    static final String MAVEN_COMMAND = "mvn -B -Pbench test-compile exec:exec";

    private BenchmarkCommand() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BenchParameters parameters = BenchParameters.defaults().with(args);
        Path output = Path.of(parameters.output());
        Files.createDirectories(output);
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        long start = System.nanoTime();
        System.out.println("benchmark: " + parameters.describe());

        List<RunResult> runs = new BenchmarkRunner(parameters, System.out::println).run();

        double minutes = (System.nanoTime() - start) / 60e9;
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        MarkdownReport.Context context = new MarkdownReport.Context(command(args),
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")),
                commit(), machine(loadBefore, loadAfter), minutes);
        Files.writeString(output.resolve("README.md"), MarkdownReport.render(parameters, runs, context),
                StandardCharsets.UTF_8);
        writeJson(output.resolve("results.json"), parameters, runs, context);
        new BenchmarkCharts(runs, parameters).writeAll(output);
        System.out.printf(Locale.ROOT, "benchmark done in %.1f minutes; report in %s%n", minutes,
                output.resolve("README.md"));
        System.exit(0); // Reactor Netty's and the engines' daemon threads would otherwise linger briefly
    }

    private static String command(String[] args) {
        return args.length == 0 ? MAVEN_COMMAND : MAVEN_COMMAND + " -Dbench.args=\"" + String.join(" ", args) + "\"";
    }

    private static void writeJson(Path file, BenchParameters parameters, List<RunResult> runs,
            MarkdownReport.Context context) throws IOException {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("context", context);
        document.put("parameters", parameters.describe());
        document.put("liveWorkingSetTokens", Math.round(parameters.liveWorkingSetTokens()));
        List<Targets.Check> targets = new ArrayList<>();
        runs.stream().map(RunResult::regime).distinct().forEach(regime -> targets.addAll(Targets.check(regime, runs)));
        document.put("targets", targets);
        document.put("runs", runs);
        JsonMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        Files.writeString(file, json.writeValueAsString(document) + "\n", StandardCharsets.UTF_8);
    }

    private static String commit() {
        String head = git("rev-parse", "--short", "HEAD");
        String status = git("status", "--porcelain", "--untracked-files=no", "--", "src", "pom.xml");
        return head.isEmpty() ? "unknown" : head + (status.isEmpty() ? "" : " (with uncommitted changes)");
    }

    private static String git(String... args) {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0 ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static List<String> machine(double loadBefore, double loadAfter) {
        List<String> lines = new ArrayList<>();
        lines.add("CPU: " + procValue("/proc/cpuinfo", "model name") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores visible to the JVM");
        lines.add("memory: " + procValue("/proc/meminfo", "MemTotal") + "; JVM max heap "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
        lines.add("OS: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " ("
                + System.getProperty("os.arch") + "); JDK: " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.version"));
        lines.add(String.format(Locale.ROOT, "load average (1 min) %.1f before the run and %.1f after it: the"
                + " machine is shared, so other work ran meanwhile", loadBefore, loadAfter));
        lines.add("everything in one JVM: the engines, each run's router, and the client");
        return lines;
    }

    private static String procValue(String file, String key) {
        try {
            return Files.readAllLines(Path.of(file)).stream().filter(line -> line.startsWith(key))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
