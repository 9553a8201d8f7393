package dev.prefixrouter.prometheus;

import java.util.List;
import java.util.Objects;

/**
 * What {@link PrometheusTextParser} made of one scrape body: the samples of every valid line, in body order, and
 * an account of the lines it had to skip, so that the scraper can report a misbehaving engine without losing the
 * good lines.
 *
 * @param samples          the samples of the valid sample lines, in the order they appeared
 * @param skippedLines     how many non-blank, non-comment lines were malformed and dropped
 * @param firstSkippedLine the first dropped line (cut to {@value #MAX_QUOTED_LINE} characters) for a log message;
 *                         empty when none was dropped
 */
public record ParsedScrape(List<Sample> samples, int skippedLines, String firstSkippedLine) {

    /** How much of a malformed line is kept for diagnostics; engines are not trusted to keep lines short. */
    public static final int MAX_QUOTED_LINE = 200;

    public ParsedScrape {
        samples = List.copyOf(samples);
        Objects.requireNonNull(firstSkippedLine, "firstSkippedLine");
        if (skippedLines < 0) {
            throw new IllegalArgumentException("skippedLines must not be negative, was " + skippedLines);
        }
    }
}
