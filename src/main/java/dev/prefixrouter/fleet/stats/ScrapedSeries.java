package dev.prefixrouter.fleet.stats;

import dev.prefixrouter.prometheus.Sample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The series of one scrape that {@link EngineStats} reads, grouped by metric name in one pass; every other sample
 * is dropped. Aggregates are empty, meaning unknown, when no series of the name was scraped or when the result is
 * not finite: a NaN from the engine must not pass for a number.
 */
final class ScrapedSeries {

    private final Map<String, List<Sample>> byName = new HashMap<>();

    ScrapedSeries(List<Sample> samples, Set<String> wantedNames) {
        for (Sample sample : samples) {
            if (wantedNames.contains(sample.name())) {
                byName.computeIfAbsent(sample.name(), name -> new ArrayList<>(2)).add(sample);
            }
        }
    }

    /** Every series of {@code name}, in scrape order; empty if none. */
    List<Sample> series(String name) {
        return byName.getOrDefault(name, List.of());
    }

    /**
     * The sum over every series (one per model, engine rank, ...) of the first of {@code names} that was scraped;
     * names are alternatives, such as the vLLM and SGLang spelling of one quantity.
     */
    OptionalDouble sum(String... names) {
        List<Sample> series = firstScraped(names);
        if (series.isEmpty()) {
            return OptionalDouble.empty();
        }
        double sum = 0;
        for (Sample sample : series) {
            sum += sample.value();
        }
        return finite(sum);
    }

    /** Like {@link #sum} but the mean, for fractions such as cache usage that do not add up across series. */
    OptionalDouble mean(String... names) {
        List<Sample> series = firstScraped(names);
        OptionalDouble sum = sum(names);
        return sum.isPresent() ? finite(sum.getAsDouble() / series.size()) : sum;
    }

    private List<Sample> firstScraped(String... names) {
        for (String name : names) {
            List<Sample> series = series(name);
            if (!series.isEmpty()) {
                return series;
            }
        }
        return List.of();
    }

    private static OptionalDouble finite(double value) {
        return Double.isFinite(value) ? OptionalDouble.of(value) : OptionalDouble.empty();
    }
}
