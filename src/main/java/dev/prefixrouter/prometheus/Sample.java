package dev.prefixrouter.prometheus;

import java.util.Map;
import java.util.Objects;

/**
 * One line of a Prometheus scrape: a series (metric name and labels) and its value. Histogram and summary parts
 * ({@code _bucket}, {@code _sum}, {@code _count}) are separate samples under their own names, exactly as exposed.
 * The labels are immutable; the value may be {@code NaN} or infinite, as the exposition format allows.
 *
 * @param name   the metric name as exposed, colons included ({@code vllm:num_requests_running})
 * @param labels label names to unescaped values; empty when the line had no label set or {@code {}}
 * @param value  the sample value
 */
public record Sample(String name, Map<String, String> labels, double value) {

    public Sample {
        Objects.requireNonNull(name, "name");
        labels = Map.copyOf(labels);
    }

    /** The value of {@code label}, or {@code null} when the series does not carry it. */
    public String label(String label) {
        return labels.get(label);
    }
}
