package dev.prefixrouter.observability;

import dev.prefixrouter.observability.PromQlTokens.Kind;
import dev.prefixrouter.observability.PromQlTokens.Token;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a PromQL expression reads: the metric names it selects, and for each the label names it matches on
 * ({@code {status=~"5.."}}) or groups by ({@code sum by (backend) (...)}, {@code without (...)}, before or after
 * the aggregated expression, applied to every selector inside it).
 *
 * <p>A metric name is an identifier that is not a function or aggregation being called, not a keyword or binary
 * operator ({@code by}, {@code bool}, {@code and}, {@code offset}, ...), not a label name inside {@code {...}} or a
 * grouping list, and not inside a string or a range. Names may hold colons ({@code vllm:kv_cache_usage_perc}).
 * What this reader cannot check it refuses rather than guesses: calls to functions PromQL does not have (a typo
 * that Prometheus would reject), vector matching ({@code on}, {@code ignoring}, {@code group_left}), selectors
 * without a metric name ({@code {__name__=~"..."}}) and Grafana variables where a name would be.
 *
 * @param metrics metric names in the order they first appear
 * @param labels  for each metric, the label names matched or grouped on
 */
record PromQlReferences(Set<String> metrics, Map<String, Set<String>> labels) {

    private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
            "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");

    /** Prometheus 3's functions (and 2's holt_winters); a call to any other name is refused. */
    private static final Set<String> FUNCTIONS = Set.of("abs", "absent", "absent_over_time", "acos", "acosh",
            "asin", "asinh", "atan", "atanh", "avg_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min",
            "cos", "cosh", "count_over_time", "day_of_month", "day_of_week", "day_of_year", "days_in_month", "deg",
            "delta", "deriv", "double_exponential_smoothing", "end", "exp", "floor", "histogram_avg",
            "histogram_count", "histogram_fraction", "histogram_quantile", "histogram_stddev", "histogram_stdvar",
            "histogram_sum", "holt_winters", "hour", "idelta", "increase", "info", "irate", "label_join",
            "label_replace", "last_over_time", "ln", "log10", "log2", "mad_over_time", "max_over_time",
            "min_over_time", "minute", "month", "pi", "predict_linear", "present_over_time", "quantile_over_time",
            "rad", "rate", "resets", "round", "scalar", "sgn", "sin", "sinh", "sort", "sort_by_label",
            "sort_by_label_desc", "sort_desc", "sqrt", "start", "stddev_over_time", "stdvar_over_time",
            "sum_over_time", "tan", "tanh", "time", "timestamp", "vector", "year");

    /** Words that are neither metrics nor calls: binary operators, modifiers, and the float literals. */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "atan2", "bool", "offset", "inf",
            "nan");

    private static final Set<String> GROUPING = Set.of("by", "without");

    private static final Set<String> VECTOR_MATCHING = Set.of("on", "ignoring", "group_left", "group_right");

    PromQlReferences {
        metrics = Collections.unmodifiableSet(metrics);
        labels = Collections.unmodifiableMap(labels);
    }

    /** Reads {@code expr}; throws {@link IllegalArgumentException} for what it cannot read with certainty. */
    static PromQlReferences of(String expr) {
        return new Reader(expr).read();
    }

    /** One metric selector: the metric name's token index and the labels its matchers name. */
    private record Selector(int at, String metric, Set<String> labels) {
    }

    /** An aggregation's grouping labels and the token range of the expression it aggregates. */
    private record Grouping(int from, int to, Set<String> labels) {
    }

    private static final class Reader {

        private final String expr;
        private final List<Token> tokens;
        private final int[] closing;
        private final List<Selector> selectors = new ArrayList<>();
        private final List<Grouping> groupings = new ArrayList<>();

        Reader(String expr) {
            this.expr = expr;
            this.tokens = PromQlTokens.of(expr);
            this.closing = matchParentheses();
        }

        PromQlReferences read() {
            for (int i = 0; i < tokens.size(); i++) {
                Token token = tokens.get(i);
                switch (token.kind()) {
                    case IDENTIFIER -> i = identifier(i);
                    case LEFT_BRACE -> throw error("a selector without a metric name", token);
                    case VARIABLE -> throw error("a Grafana variable where a name could be", token);
                    default -> {
                        // numbers, strings, operators, commas and brackets name nothing
                    }
                }
            }
            Set<String> metrics = new LinkedHashSet<>();
            Map<String, Set<String>> labels = new LinkedHashMap<>();
            for (Selector selector : selectors) {
                metrics.add(selector.metric());
                Set<String> used = labels.computeIfAbsent(selector.metric(), m -> new LinkedHashSet<>());
                used.addAll(selector.labels());
                for (Grouping grouping : groupings) {
                    if (grouping.from() < selector.at() && selector.at() < grouping.to()) {
                        used.addAll(grouping.labels());
                    }
                }
            }
            labels.replaceAll((metric, used) -> Collections.unmodifiableSet(used));
            return new PromQlReferences(metrics, labels);
        }

        /** Reads the identifier at {@code i}; returns the index of the last token it consumed. */
        private int identifier(int i) {
            String word = tokens.get(i).text();
            String lower = word.toLowerCase(Locale.ROOT);
            if (GROUPING.contains(word)) {
                return labelList(i + 1).to(); // recorded by its aggregation; nothing to select here
            }
            if (VECTOR_MATCHING.contains(word)) {
                throw error("vector matching (" + word + "), whose labels this reader does not check", tokens.get(i));
            }
            if (KEYWORDS.contains(lower)) {
                return i;
            }
            if (AGGREGATIONS.contains(word) && (is(i + 1, Kind.LEFT_PAREN) || isGrouping(i + 1))) {
                aggregation(i);
                return i;
            }
            if (is(i + 1, Kind.LEFT_PAREN)) {
                if (!FUNCTIONS.contains(word)) {
                    throw error("a call to " + word + ", which is not a PromQL function", tokens.get(i));
                }
                return i;
            }
            Set<String> labels = new LinkedHashSet<>();
            int last = i;
            if (is(i + 1, Kind.LEFT_BRACE)) {
                last = matchers(i + 2, labels);
            }
            selectors.add(new Selector(i, word, labels));
            return last;
        }

        /** {@code agg by (l) (expr)} or {@code agg (expr) by (l)}, with or without a grouping. */
        private void aggregation(int i) {
            int open = i + 1;
            Set<String> labels = null;
            if (isGrouping(open)) {
                Grouping list = labelList(open + 1);
                labels = list.labels();
                open = list.to() + 1;
            }
            if (!is(open, Kind.LEFT_PAREN)) {
                throw error("an aggregation without its parenthesised expression", tokens.get(i));
            }
            int close = closing[open];
            if (labels == null && isGrouping(close + 1)) {
                labels = labelList(close + 2).labels();
            }
            if (labels != null) {
                groupings.add(new Grouping(open, close, labels));
            }
        }

        /** The label names in the parenthesised list at {@code open}; {@code to} is its closing parenthesis. */
        private Grouping labelList(int open) {
            if (!is(open, Kind.LEFT_PAREN)) {
                throw error("a grouping without its label list", tokens.get(Math.min(open, tokens.size() - 1)));
            }
            Set<String> labels = new LinkedHashSet<>();
            int close = closing[open];
            for (int j = open + 1; j < close; j++) {
                Token token = tokens.get(j);
                if (token.kind() == Kind.IDENTIFIER) {
                    labels.add(token.text());
                } else if (token.kind() != Kind.COMMA) {
                    throw error("a grouping list holding more than label names", token);
                }
            }
            return new Grouping(open, close, labels);
        }

        /** Label matchers from {@code from} to the closing brace, whose index it returns. */
        private int matchers(int from, Set<String> labels) {
            int j = from;
            while (!is(j, Kind.RIGHT_BRACE)) {
                if (!is(j, Kind.IDENTIFIER) || !is(j + 1, Kind.OPERATOR) || !is(j + 2, Kind.STRING)) {
                    throw error("a label matcher that is not label, operator, string",
                            tokens.get(Math.min(j, tokens.size() - 1)));
                }
                labels.add(tokens.get(j).text());
                j += 3;
                if (is(j, Kind.COMMA)) {
                    j++;
                }
            }
            return j;
        }

        private int[] matchParentheses() {
            int[] match = new int[tokens.size()];
            Deque<Integer> open = new ArrayDeque<>();
            for (int i = 0; i < tokens.size(); i++) {
                if (tokens.get(i).kind() == Kind.LEFT_PAREN) {
                    open.push(i);
                } else if (tokens.get(i).kind() == Kind.RIGHT_PAREN) {
                    if (open.isEmpty()) {
                        throw error("a ')' without its '('", tokens.get(i));
                    }
                    match[open.pop()] = i;
                }
            }
            if (!open.isEmpty()) {
                throw error("a '(' without its ')'", tokens.get(open.peek()));
            }
            return match;
        }

        private boolean is(int index, Kind kind) {
            return index < tokens.size() && tokens.get(index).kind() == kind;
        }

        private boolean isGrouping(int index) {
            return is(index, Kind.IDENTIFIER) && GROUPING.contains(tokens.get(index).text());
        }

        private IllegalArgumentException error(String problem, Token token) {
            return new IllegalArgumentException(problem + " at " + token.at() + " in: " + expr);
        }
    }
}
