package dev.prefixrouter.observability;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a PromQL expression, as a Grafana panel holds it, into the tokens that say what it reads: identifiers,
 * brackets, commas, strings, numbers and operators. What cannot name a metric or a label is dropped on the way:
 * whitespace, comments, and every range or subquery ({@code [5m]}, {@code [$__rate_interval]}, {@code [1h:5m]}).
 * A Grafana variable outside a string or a range ({@code $metric}, {@code ${name}}) becomes a {@link Kind#VARIABLE}
 * token, so that the reader can refuse what it cannot check.
 */
final class PromQlTokens {

    enum Kind { IDENTIFIER, NUMBER, STRING, LEFT_PAREN, RIGHT_PAREN, LEFT_BRACE, RIGHT_BRACE, COMMA, OPERATOR, VARIABLE }

    record Token(Kind kind, String text, int at) {
    }

    private final String expr;
    private final List<Token> tokens = new ArrayList<>();
    private int at;

    private PromQlTokens(String expr) {
        this.expr = expr;
    }

    static List<Token> of(String expr) {
        PromQlTokens scanner = new PromQlTokens(expr);
        scanner.scan();
        return List.copyOf(scanner.tokens);
    }

    private void scan() {
        while (at < expr.length()) {
            char c = expr.charAt(at);
            if (Character.isWhitespace(c)) {
                at++;
            } else if (c == '#') {
                int end = expr.indexOf('\n', at);
                at = end < 0 ? expr.length() : end + 1;
            } else if (c == '"' || c == '\'' || c == '`') {
                string(c);
            } else if (c == '[') {
                int end = expr.indexOf(']', at);
                if (end < 0) {
                    throw error("range without its ']'");
                }
                at = end + 1;
            } else if (c == '$') {
                variable();
            } else if (identifierStart(c)) {
                int start = at;
                while (at < expr.length() && identifierPart(expr.charAt(at))) {
                    at++;
                }
                add(Kind.IDENTIFIER, start);
            } else if (Character.isDigit(c) || (c == '.' && at + 1 < expr.length()
                    && Character.isDigit(expr.charAt(at + 1)))) {
                number();
            } else {
                single(c);
            }
        }
    }

    /** A number or a duration: 0.95, 1e-3, 0x1F, 5m, 1h30m. */
    private void number() {
        int start = at;
        while (at < expr.length()) {
            char c = expr.charAt(at);
            boolean exponentSign = (c == '+' || c == '-') && (expr.charAt(at - 1) == 'e' || expr.charAt(at - 1) == 'E');
            if (!Character.isLetterOrDigit(c) && c != '.' && c != '_' && !exponentSign) {
                break;
            }
            at++;
        }
        add(Kind.NUMBER, start);
    }

    private void string(char quote) {
        int start = at++;
        while (at < expr.length() && expr.charAt(at) != quote) {
            at += expr.charAt(at) == '\\' && quote != '`' ? 2 : 1;
        }
        if (at >= expr.length()) {
            throw error("string without its closing " + quote);
        }
        at++;
        add(Kind.STRING, start);
    }

    private void variable() {
        int start = at++;
        if (at < expr.length() && expr.charAt(at) == '{') {
            int end = expr.indexOf('}', at);
            if (end < 0) {
                throw error("variable without its '}'");
            }
            at = end + 1;
        } else {
            while (at < expr.length() && identifierPart(expr.charAt(at))) {
                at++;
            }
        }
        add(Kind.VARIABLE, start);
    }

    private void single(char c) {
        int start = at++;
        switch (c) {
            case '(' -> add(Kind.LEFT_PAREN, start);
            case ')' -> add(Kind.RIGHT_PAREN, start);
            case '{' -> add(Kind.LEFT_BRACE, start);
            case '}' -> add(Kind.RIGHT_BRACE, start);
            case ',' -> add(Kind.COMMA, start);
            default -> {
                if ("=!~<>+-*/%^@".indexOf(c) < 0) {
                    throw error("unexpected character '" + c + "'");
                }
                while (at < expr.length() && "=~".indexOf(expr.charAt(at)) >= 0) {
                    at++; // ==, !=, =~, !~, <=, >=
                }
                add(Kind.OPERATOR, start);
            }
        }
    }

    private void add(Kind kind, int start) {
        tokens.add(new Token(kind, expr.substring(start, at), start));
    }

    private IllegalArgumentException error(String problem) {
        return new IllegalArgumentException(problem + " at " + at + " in: " + expr);
    }

    private static boolean identifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    }

    private static boolean identifierPart(char c) {
        return identifierStart(c) || (c >= '0' && c <= '9');
    }
}
