package dev.prefixrouter.prometheus;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses a scrape body in the Prometheus text exposition format 0.0.4 into {@link Sample}s.
 *
 * <p>Engines are not trusted: a malformed line is skipped and counted, never thrown, and never costs the lines
 * around it. Comments ({@code # HELP}, {@code # TYPE} and any other) and blank lines are skipped without being
 * counted, because nothing the router reads depends on them. Lines end in {@code \n} or {@code \r\n}; a byte-order
 * mark and leading blanks are tolerated. OpenMetrics extras (exemplars, float timestamps) are not part of 0.0.4 and
 * make a line malformed.
 *
 * <p>Stateless and thread-safe. Built for a few hundred lines every few seconds per engine, off the event loop: one
 * pass over the characters, no regular expressions, and little garbage beyond the samples returned.
 */
public final class PrometheusTextParser {

    private static final char BYTE_ORDER_MARK = '\uFEFF';

    /** Parses every line of {@code body}; never throws for malformed content. */
    public ParsedScrape parse(CharSequence body) {
        SampleLineParser lineParser = new SampleLineParser();
        List<Sample> samples = new ArrayList<>();
        int skipped = 0;
        String firstSkipped = "";
        int length = body.length();
        int lineStart = length > 0 && body.charAt(0) == BYTE_ORDER_MARK ? 1 : 0;
        while (lineStart < length) {
            int lineEnd = indexOfNewline(body, lineStart);
            int contentEnd = lineEnd > lineStart && body.charAt(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
            int contentStart = skipBlanks(body, lineStart, contentEnd);
            if (contentStart < contentEnd && body.charAt(contentStart) != '#') {
                Sample sample = lineParser.parse(body, contentStart, contentEnd);
                if (sample != null) {
                    samples.add(sample);
                } else if (skipped++ == 0) {
                    firstSkipped = quote(body, lineStart, contentEnd);
                }
            }
            lineStart = lineEnd + 1;
        }
        return new ParsedScrape(samples, skipped, firstSkipped);
    }

    private static int indexOfNewline(CharSequence body, int from) {
        if (body instanceof String string) {
            int index = string.indexOf('\n', from);
            return index < 0 ? string.length() : index;
        }
        int i = from;
        while (i < body.length() && body.charAt(i) != '\n') {
            i++;
        }
        return i;
    }

    private static int skipBlanks(CharSequence body, int from, int end) {
        int i = from;
        while (i < end && SampleLineParser.isBlank(body.charAt(i))) {
            i++;
        }
        return i;
    }

    private static String quote(CharSequence body, int start, int end) {
        return body.subSequence(start, Math.min(end, start + ParsedScrape.MAX_QUOTED_LINE)).toString();
    }
}
