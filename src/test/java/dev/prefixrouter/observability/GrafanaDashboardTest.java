package dev.prefixrouter.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard's shape, as Grafana's classic dashboard JSON model defines it (schema version 39 and later): the
 * fields and types Grafana reads, panels on the 24-column grid without overlap, and every query bound to the
 * {@code datasource} variable so that one choice of Prometheus serves the whole dashboard. Which metrics the queries
 * name is {@link DashboardMetricsTest}'s business.
 */
class GrafanaDashboardTest {

    private static final String DATASOURCE = "${datasource}";
    private static final Set<String> PANEL_TYPES = Set.of("row", "timeseries", "stat", "gauge");
    /** Grafana unit ids used here; an unknown id would be shown as a suffix, not converted. */
    private static final Set<String> UNITS = Set.of("s", "bytes", "percentunit", "reqps", "cps", "short", "none");

    private static GrafanaDashboard dashboard;

    @BeforeAll
    static void load() throws Exception {
        dashboard = GrafanaDashboard.load();
    }

    @Test
    void dashboardFieldsHaveGrafanasTypes() {
        JsonNode root = dashboard.root();
        assertThat(root.path("schemaVersion").isInt()).isTrue();
        assertThat(root.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(39);
        assertThat(root.path("uid").asString()).matches("[A-Za-z0-9_-]{8,40}");
        assertThat(root.path("title").asString()).isNotBlank();
        assertThat(root.path("tags").isArray()).isTrue();
        root.path("tags").forEach(tag -> assertThat(tag.isString()).isTrue());
        assertThat(root.path("time").path("from").isString()).isTrue();
        assertThat(root.path("time").path("to").isString()).isTrue();
        assertThat(root.path("refresh").isString()).as("refresh is an interval string").isTrue();
        assertThat(root.path("editable").isBoolean()).isTrue();
        assertThat(root.path("graphTooltip").asInt(-1)).isBetween(0, 2);
        assertThat(root.path("panels").isArray()).isTrue();
        assertThat(root.path("templating").path("list").isArray()).isTrue();
    }

    @Test
    void aPrometheusDatasourceVariableServesEveryQueryVariable() {
        List<JsonNode> datasources = dashboard.variables().stream()
                .filter(v -> v.path("type").asString().equals("datasource")).toList();
        assertThat(datasources).hasSize(1);
        assertThat(datasources.get(0).path("name").asString()).isEqualTo("datasource");
        assertThat(datasources.get(0).path("query").asString()).isEqualTo("prometheus");
        for (JsonNode variable : dashboard.variables()) {
            String name = variable.path("name").asString();
            assertThat(variable.path("type").asString()).as(name).isIn("datasource", "query");
            if (variable.path("type").asString().equals("query")) {
                assertThat(variable.path("datasource").path("uid").asString()).as(name).isEqualTo(DATASOURCE);
                assertThat(variable.path("refresh").asInt()).as(name + " refreshes").isIn(1, 2);
            }
        }
        assertThat(dashboard.queries()).as("label_values queries parse").isNotEmpty();
    }

    @Test
    void panelsHaveUniqueIdsAndKnownTypes() {
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.panels()) {
            String title = panel.path("title").asString();
            assertThat(panel.path("id").isInt()).as(title + " has an id").isTrue();
            assertThat(ids.add(panel.path("id").asInt())).as(title + "'s id is unique").isTrue();
            assertThat(panel.path("type").asString()).as(title).isIn(PANEL_TYPES);
            assertThat(title).isNotBlank();
        }
    }

    @Test
    void panelsSitOnTheGridWithoutOverlapping() {
        List<int[]> placed = new ArrayList<>();
        for (JsonNode panel : dashboard.root().path("panels")) {
            JsonNode grid = panel.path("gridPos");
            String title = panel.path("title").asString();
            int x = grid.path("x").asInt(-1);
            int y = grid.path("y").asInt(-1);
            int w = grid.path("w").asInt(-1);
            int h = grid.path("h").asInt(-1);
            assertThat(x).as(title + " x").isBetween(0, 23);
            assertThat(w).as(title + " w").isBetween(1, 24);
            assertThat(x + w).as(title + " right edge").isLessThanOrEqualTo(24);
            assertThat(y).as(title + " y").isGreaterThanOrEqualTo(0);
            assertThat(h).as(title + " h").isPositive();
            for (int[] other : placed) {
                boolean apart = x + w <= other[0] || other[0] + other[2] <= x
                        || y + h <= other[1] || other[1] + other[3] <= y;
                assertThat(apart).as(title + " overlaps the panel at x=" + other[0] + " y=" + other[1]).isTrue();
            }
            placed.add(new int[] {x, y, w, h});
        }
    }

    @Test
    void everyPanelQueriesThroughTheDatasourceVariable() {
        for (JsonNode panel : dashboard.panels()) {
            if (panel.path("type").asString().equals("row")) {
                continue;
            }
            String title = panel.path("title").asString();
            assertThat(panel.path("datasource").path("type").asString()).as(title).isEqualTo("prometheus");
            assertThat(panel.path("datasource").path("uid").asString()).as(title).isEqualTo(DATASOURCE);
            assertThat(panel.path("fieldConfig").path("defaults").path("unit").asString()).as(title + " unit")
                    .isIn(UNITS);
            assertThat(panel.path("targets").isArray() && !panel.path("targets").isEmpty()).as(title).isTrue();
            Set<String> refIds = new HashSet<>();
            for (JsonNode target : panel.path("targets")) {
                String refId = target.path("refId").asString();
                assertThat(refId).as(title + " refId").isNotBlank();
                assertThat(refIds.add(refId)).as(title + " refId " + refId + " is unique").isTrue();
                assertThat(target.path("expr").asString()).as(title + " " + refId).isNotBlank();
                assertThat(target.path("datasource").path("uid").asString()).as(title + " " + refId)
                        .isEqualTo(DATASOURCE);
            }
        }
    }

    @Test
    void everyQueryReadsAtLeastOneMetric() {
        for (GrafanaDashboard.Query query : dashboard.queries()) {
            assertThat(PromQlReferences.of(query.expr()).metrics()).as(query.source()).isNotEmpty();
        }
    }
}
