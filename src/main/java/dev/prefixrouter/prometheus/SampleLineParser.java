package dev.prefixrouter.prometheus;

import java.util.HashMap;
import java.util.Map;

/**
 * Reads one sample line of the Prometheus text format 0.0.4:
 * {@code name [ "{" label="value" { "," label="value" } [ "," ] "}" ] value [ timestamp ]}.
 * Blanks and tabs may separate tokens; a label value may contain the escapes {@code \\}, {@code \"} and {@code \n}
 * only. A line that breaks any of these rules, repeats a label name, or has anything after the timestamp yields
 * no sample.
 *
 * <p>A cursor over a caller-supplied range, so that lines are never copied before they are known to be valid. Not
 * thread-safe: {@link PrometheusTextParser} makes one per scrape.
 */
final class SampleLineParser {

    private final StringBuilder unescaped = new StringBuilder();
    private CharSequence text;
    private int pos;
    private int end;

    /** The sample on {@code text[start, end)}, which holds no line break, or {@code null} if the line is malformed. */
    Sample parse(CharSequence text, int start, int end) {
        this.text = text;
        this.pos = start;
        this.end = end;
        String name = readMetricName();
        if (name == null) {
            return null;
        }
        boolean blankAfterName = skipBlanks();
        Map<String, String> labels = Map.of();
        if (pos < end && text.charAt(pos) == '{') {
            labels = readLabelSet();
            if (labels == null) {
                return null;
            }
            skipBlanks();
        } else if (!blankAfterName) {
            return null;
        }
        int valueStart = pos;
        int valueEnd = skipToken();
        if (!PrometheusNumbers.isValue(text, valueStart, valueEnd)) {
            return null;
        }
        skipBlanks();
        if (pos < end) {
            int timestampStart = pos;
            if (!PrometheusNumbers.isTimestamp(text, timestampStart, skipToken())) {
                return null;
            }
            skipBlanks();
            if (pos < end) {
                return null;
            }
        }
        return new Sample(name, labels, PrometheusNumbers.parseValue(text, valueStart, valueEnd));
    }

    private String readMetricName() {
        int start = pos;
        if (pos >= end || !isNameStart(text.charAt(pos), true)) {
            return null;
        }
        pos++;
        while (pos < end && isNamePart(text.charAt(pos), true)) {
            pos++;
        }
        return text.subSequence(start, pos).toString();
    }

    /** Reads from the opening brace through the closing one; {@code null} if malformed. */
    private Map<String, String> readLabelSet() {
        pos++;
        skipBlanks();
        Map<String, String> labels = null;
        while (true) {
            if (pos < end && text.charAt(pos) == '}') {
                pos++;
                return labels == null ? Map.of() : labels;
            }
            String labelName = readLabelName();
            if (labelName == null || !expect('=') || !expect('"')) {
                return null;
            }
            String value = readQuotedRest();
            if (value == null) {
                return null;
            }
            if (labels == null) {
                labels = new HashMap<>(8);
            }
            if (labels.put(labelName, value) != null) {
                return null;
            }
            skipBlanks();
            if (pos < end && text.charAt(pos) == ',') {
                pos++;
                skipBlanks();
            } else if (pos >= end || text.charAt(pos) != '}') {
                return null;
            }
        }
    }

    private String readLabelName() {
        int start = pos;
        if (pos >= end || !isNameStart(text.charAt(pos), false)) {
            return null;
        }
        pos++;
        while (pos < end && isNamePart(text.charAt(pos), false)) {
            pos++;
        }
        return text.subSequence(start, pos).toString();
    }

    /** Skips blanks, then consumes {@code c} and following blanks; false if {@code c} is not next. */
    private boolean expect(char c) {
        skipBlanks();
        if (pos >= end || text.charAt(pos) != c) {
            return false;
        }
        pos++;
        if (c != '"') {
            skipBlanks();
        }
        return true;
    }

    /** Reads a label value after its opening quote, through the closing quote; {@code null} if malformed. */
    private String readQuotedRest() {
        int start = pos;
        while (pos < end) {
            char c = text.charAt(pos);
            if (c == '"') {
                return text.subSequence(start, pos++).toString();
            }
            if (c == '\\') {
                return readEscapedRest(start);
            }
            pos++;
        }
        return null;
    }

    /** The slow path of {@link #readQuotedRest()}, taken only by values that hold an escape. */
    private String readEscapedRest(int start) {
        unescaped.setLength(0);
        unescaped.append(text, start, pos);
        while (pos < end) {
            char c = text.charAt(pos++);
            if (c == '"') {
                return unescaped.toString();
            }
            if (c != '\\') {
                unescaped.append(c);
                continue;
            }
            if (pos >= end) {
                return null;
            }
            char escaped = text.charAt(pos++);
            switch (escaped) {
                case '\\', '"' -> unescaped.append(escaped);
                case 'n' -> unescaped.append('\n');
                default -> {
                    return null;
                }
            }
        }
        return null;
    }

    /** Advances over blanks and tabs; true if there was at least one. */
    private boolean skipBlanks() {
        int start = pos;
        while (pos < end && isBlank(text.charAt(pos))) {
            pos++;
        }
        return pos > start;
    }

    /** Advances to the next blank or the end of the line and returns that position. */
    private int skipToken() {
        while (pos < end && !isBlank(text.charAt(pos))) {
            pos++;
        }
        return pos;
    }

    static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isNameStart(char c, boolean colonAllowed) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colonAllowed && c == ':');
    }

    private static boolean isNamePart(char c, boolean colonAllowed) {
        return isNameStart(c, colonAllowed) || (c >= '0' && c <= '9');
    }
}
