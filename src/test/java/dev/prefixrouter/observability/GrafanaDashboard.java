package dev.prefixrouter.observability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboard shipped in {@code k8s/monitoring/grafana-dashboard.json}, read as Grafana reads it: its panels
 * (those nested in collapsed rows too) and every PromQL query it sends, from panel targets and from
 * {@code label_values(selector, label)} variables.
 */
final class GrafanaDashboard {

    /** Where the file lives, from the project's root (Maven runs the tests there). */
    static final Path FILE = Path.of("k8s", "monitoring", "grafana-dashboard.json");

    private static final Pattern LABEL_VALUES = Pattern.compile(
            "label_values\\(\\s*(.+?)\\s*,\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");

    /**
     * One query the dashboard sends.
     *
     * @param source    where it is, for messages: a panel's title and the target's refId, or a variable's name
     * @param expr      the PromQL expression (for a variable, the selector of its label_values)
     * @param valuesOf  the label a variable lists, else empty
     */
    record Query(String source, String expr, Optional<String> valuesOf) {
    }

    private final JsonNode root;

    private GrafanaDashboard(JsonNode root) {
        this.root = root;
    }

    static GrafanaDashboard load() throws Exception {
        return new GrafanaDashboard(JsonMapper.builder().build().readTree(Files.readString(FILE)));
    }

    JsonNode root() {
        return root;
    }

    /** Every panel, rows included, with the panels of collapsed rows after their row. */
    List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : root.path("panels")) {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        }
        return panels;
    }

    List<JsonNode> variables() {
        List<JsonNode> variables = new ArrayList<>();
        root.path("templating").path("list").forEach(variables::add);
        return variables;
    }

    /** Every query of every panel target and query variable. */
    List<Query> queries() {
        List<Query> queries = new ArrayList<>();
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(new Query("panel \"" + panel.path("title").asString() + "\" target "
                        + target.path("refId").asString(), target.path("expr").asString(), Optional.empty()));
            }
        }
        for (JsonNode variable : variables()) {
            if (variable.path("type").asString().equals("query")) {
                String query = variable.path("query").asString();
                Matcher m = LABEL_VALUES.matcher(query);
                if (!m.matches()) {
                    throw new IllegalStateException("variable " + variable.path("name").asString()
                            + ": expected label_values(selector, label), was " + query);
                }
                queries.add(new Query("variable " + variable.path("name").asString(), m.group(1),
                        Optional.of(m.group(2))));
            }
        }
        return queries;
    }
}
