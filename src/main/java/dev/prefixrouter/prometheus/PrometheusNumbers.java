package dev.prefixrouter.prometheus;

/**
 * The number tokens of the Prometheus text format. Values follow Go's {@code strconv.ParseFloat} for decimal input,
 * as the Prometheus server does: {@code [+-]digits[.digits][e[+-]digits]}, {@code [+-]Inf}, {@code [+-]Infinity},
 * {@code NaN} (case-insensitive). Java-only spellings that {@link Double#parseDouble} would also take (a trailing
 * {@code d} or {@code f}, hexadecimal, surrounding blanks) are rejected. Timestamps are integers that fit in a
 * {@code long}.
 */
final class PrometheusNumbers {

    private PrometheusNumbers() {
    }

    /** Whether {@code text[start, end)} is a valid sample value. */
    static boolean isValue(CharSequence text, int start, int end) {
        return special(text, start, end) != 0 || isDecimal(text, start, end);
    }

    /** The value of {@code text[start, end)}, which {@link #isValue} accepted. */
    static double parseValue(CharSequence text, int start, int end) {
        double special = special(text, start, end);
        if (special != 0) {
            return special;
        }
        return Double.parseDouble(text.subSequence(start, end).toString());
    }

    /** Whether {@code text[start, end)} is a millisecond timestamp: an optionally signed integer within a long. */
    static boolean isTimestamp(CharSequence text, int start, int end) {
        int i = start;
        if (i < end && (text.charAt(i) == '-' || text.charAt(i) == '+')) {
            i++;
        }
        if (i >= end) {
            return false;
        }
        long magnitude = 0;
        for (; i < end; i++) {
            int digit = text.charAt(i) - '0';
            if (digit < 0 || digit > 9 || magnitude > (Long.MAX_VALUE - digit) / 10) {
                return false;
            }
            magnitude = magnitude * 10 + digit;
        }
        return true;
    }

    /** NaN or an infinity if the token spells one, else 0 (which no special spelling means). */
    private static double special(CharSequence text, int start, int end) {
        int i = start;
        double sign = 1;
        if (i < end && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            sign = text.charAt(i) == '-' ? -1 : 1;
            i++;
        } else if (equalsIgnoreCase(text, i, end, "nan")) {
            return Double.NaN;
        }
        if (equalsIgnoreCase(text, i, end, "inf") || equalsIgnoreCase(text, i, end, "infinity")) {
            return sign * Double.POSITIVE_INFINITY;
        }
        return 0;
    }

    /** {@code [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?}, all of which Java parses the same. */
    private static boolean isDecimal(CharSequence text, int start, int end) {
        int i = start;
        if (i < end && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            i++;
        }
        int integerDigits = countDigits(text, i, end);
        i += integerDigits;
        int fractionDigits = 0;
        if (i < end && text.charAt(i) == '.') {
            i++;
            fractionDigits = countDigits(text, i, end);
            i += fractionDigits;
        }
        if (integerDigits + fractionDigits == 0) {
            return false;
        }
        if (i < end && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            i++;
            if (i < end && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                i++;
            }
            int exponentDigits = countDigits(text, i, end);
            if (exponentDigits == 0) {
                return false;
            }
            i += exponentDigits;
        }
        return i == end;
    }

    private static int countDigits(CharSequence text, int start, int end) {
        int i = start;
        while (i < end && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            i++;
        }
        return i - start;
    }

    /** ASCII-only: {@link Character#toLowerCase} maps the dotted capital I to {@code i}, letting it spell "Inf". */
    private static boolean equalsIgnoreCase(CharSequence text, int start, int end, String lowerCaseWord) {
        if (end - start != lowerCaseWord.length()) {
            return false;
        }
        for (int i = 0; i < lowerCaseWord.length(); i++) {
            char c = text.charAt(start + i);
            char lower = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
            if (lower != lowerCaseWord.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
