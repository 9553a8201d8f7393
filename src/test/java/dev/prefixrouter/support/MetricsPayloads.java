package dev.prefixrouter.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Hand-written /metrics bodies shaped like real engines' output, kept as test resources beside this class. */
public final class MetricsPayloads {

    private MetricsPayloads() {
    }

    /** vLLM v0.12 with two data-parallel engines: Python runtime, vLLM and HTTP metrics, histograms, cache info. */
    public static String vllm() {
        return read("vllm-0.12-metrics.txt");
    }

    /** SGLang with two data-parallel ranks. */
    public static String sglang() {
        return read("sglang-metrics.txt");
    }

    private static String read(String name) {
        try (InputStream in = MetricsPayloads.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading test resource " + name, e);
        }
    }
}
