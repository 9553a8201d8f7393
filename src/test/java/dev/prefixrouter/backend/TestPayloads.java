package dev.prefixrouter.backend;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Hand-written /metrics bodies shaped like real engines' output, kept as test resources beside this class. */
final class TestPayloads {

    private TestPayloads() {
    }

    /** vLLM v0.12 with two data-parallel engines: Python runtime, vLLM and HTTP metrics, histograms, cache info. */
    static String vllm() {
        return read("vllm-0.12-metrics.txt");
    }

    /** SGLang with two data-parallel ranks. */
    static String sglang() {
        return read("sglang-metrics.txt");
    }

    private static String read(String name) {
        try (InputStream in = TestPayloads.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading test resource " + name, e);
        }
    }
}
