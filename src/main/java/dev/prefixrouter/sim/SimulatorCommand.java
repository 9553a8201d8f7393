package dev.prefixrouter.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.springframework.boot.convert.DurationStyle;

/**
 * {@code java -jar prefix-router.jar sim [--port=8100] [--engines=1] [--model=demo-model] [--engine-model=fixed]
 * [--ttft=150ms] [--itl=20ms] [--num-gpu-blocks=8192] [--time-scale=1] [--max-tokens=32] [--host=127.0.0.1]}: runs
 * simulated engines without the router, on consecutive ports from {@code --port}, until the process is stopped.
 * {@code --engine-model=kv-cache} simulates vLLM's prefix cache and batching ({@code --num-gpu-blocks},
 * {@code --time-scale}); {@code fixed} answers with constant latencies ({@code --ttft}, {@code --itl}).
 * {@code --kv-events-port=5557 [--kv-events-replay-port=5558] [--kv-events-encoding=array|map|mixed]
 * [--kv-events-topic=]} makes kv-cache engines publish vLLM's KV-cache events (engine {@code i} on port + i, as
 * vLLM's data-parallel ranks do); 0, the default, publishes none.
 */
public final class SimulatorCommand {

    private SimulatorCommand() {
    }

    public static void run(String[] args) throws InterruptedException {
        Map<String, String> options = parse(args);
        String host = options.getOrDefault("host", "127.0.0.1");
        int port = Integer.parseInt(options.getOrDefault("port", "8100"));
        int engines = Integer.parseInt(options.getOrDefault("engines", "1"));
        String model = options.getOrDefault("model", "demo-model");
        Duration ttft = DurationStyle.detectAndParse(options.getOrDefault("ttft", "150ms"));
        Duration itl = DurationStyle.detectAndParse(options.getOrDefault("itl", "20ms"));
        int maxTokens = Integer.parseInt(options.getOrDefault("max-tokens", "32"));
        EngineModelKind kind = EngineModelKind.valueOf(
                options.getOrDefault("engine-model", "fixed").toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        int numGpuBlocks = Integer.parseInt(options.getOrDefault("num-gpu-blocks", "8192"));
        double timeScale = Double.parseDouble(options.getOrDefault("time-scale", "1"));

        int kvEventsPort = Integer.parseInt(options.getOrDefault("kv-events-port", "0"));
        int kvEventsReplayPort = Integer.parseInt(options.getOrDefault("kv-events-replay-port", "0"));
        KvEventsEncoding kvEventsEncoding = KvEventsEncoding.parse(options.getOrDefault("kv-events-encoding",
                "array"));
        String kvEventsTopic = options.getOrDefault("kv-events-topic", "");
        if (kvEventsPort != 0 && kind != EngineModelKind.KV_CACHE) {
            throw new IllegalArgumentException("--kv-events-port needs --engine-model=kv-cache: the " + kind
                    + " engine model has no KV cache to report on");
        }

        List<EngineSimulator> started = new ArrayList<>();
        for (int i = 0; i < engines; i++) {
            EngineModel engineModel = kvEventsPort == 0 ? kind.create(ttft, itl, numGpuBlocks, timeScale)
                    : new KvCacheEngineModel(KvCacheModelConfig.defaults().withNumGpuBlocks(numGpuBlocks)
                            .withTimeScale(timeScale),
                            new KvEventsConfig(host, kvEventsPort + i, kvEventsReplayPort == 0 ? 0
                                    : kvEventsReplayPort + i, kvEventsEncoding, kvEventsTopic,
                                    KvEventsConfig.DEFAULT_BUFFER_STEPS, KvEventsConfig.DEFAULT_MAX_QUEUED));
            EngineSimulator engine = EngineSimulator.start(
                    new EngineSimulator.Settings(host, port == 0 ? 0 : port + i, model, maxTokens), engineModel);
            started.add(engine);
            KvEventsConfig events = engine.kvEvents();
            System.out.println("simulated " + kind + " engine serving '" + model + "' on " + engine.baseUrl()
                    + (events == null ? "" : ", KV events on " + events.endpoint()
                            + (events.replayEndpoint() == null ? "" : ", replay on " + events.replayEndpoint())));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            started.forEach(EngineSimulator::close);
            stopped.countDown();
        }));
        stopped.await();
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("Unrecognised argument '" + arg + "'; expected --name=value");
            }
            int equals = arg.indexOf('=');
            options.put(arg.substring(2, equals), arg.substring(equals + 1));
        }
        return options;
    }
}
