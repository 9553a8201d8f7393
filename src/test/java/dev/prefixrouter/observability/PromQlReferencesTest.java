package dev.prefixrouter.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reader the dashboard test relies on: it must find every metric and label, and nothing else. */
class PromQlReferencesTest {

    @Test
    void findsTheMetricWithItsMatchedAndGroupedLabels() {
        PromQlReferences refs = PromQlReferences.of("sum by (backend, status) (rate(router_requests_total"
                + "{namespace=~\"$namespace\", status!~\"2..\"}[$__rate_interval]))");
        assertThat(refs.metrics()).containsExactly("router_requests_total");
        assertThat(refs.labels()).isEqualTo(Map.of("router_requests_total", Set.of("namespace", "status",
                "backend")));
    }

    @Test
    void readsColonNamesAndAGroupingAfterTheAggregatedExpression() {
        PromQlReferences refs = PromQlReferences.of("histogram_quantile(0.95, sum(rate("
                + "vllm:time_to_first_token_seconds_bucket{model_name=\"m\"}[5m])) by (le, pod))");
        assertThat(refs.metrics()).containsExactly("vllm:time_to_first_token_seconds_bucket");
        assertThat(refs.labels().get("vllm:time_to_first_token_seconds_bucket"))
                .containsExactlyInAnyOrder("model_name", "le", "pod");
    }

    @Test
    void aGroupingAppliesOnlyToTheExpressionItAggregates() {
        PromQlReferences refs = PromQlReferences.of("sum(rate(a_total[1m])) / sum without (instance) "
                + "(rate(b_total[1m])) * on_purpose_metric");
        assertThat(refs.metrics()).containsExactly("a_total", "b_total", "on_purpose_metric");
        assertThat(refs.labels().get("a_total")).isEmpty();
        assertThat(refs.labels().get("b_total")).containsExactly("instance");
    }

    @Test
    void stringsNumbersDurationsAndKeywordsNameNothing() {
        PromQlReferences refs = PromQlReferences.of("(sum(rate(x_total{path=~\"/v1/(chat|completions){2} by\", "
                + "le='+Inf'}[1h30m:5m] offset 5m)) > bool 1e-3) or vector(0) unless y and Inf > NaN "
                + "# a comment naming z_total\n");
        assertThat(refs.metrics()).containsExactly("x_total", "y");
        assertThat(refs.labels().get("x_total")).containsExactly("path", "le");
    }

    @Test
    void aggregationParametersAndFunctionArgumentsAreNotMetrics() {
        PromQlReferences refs = PromQlReferences.of("topk(3, count_values(\"value\", up)) "
                + "+ label_replace(max by (pod) (kv), \"engine\", \"$1\", \"pod\", \"(.*)\")");
        assertThat(refs.metrics()).containsExactly("up", "kv");
        assertThat(refs.labels().get("kv")).containsExactly("pod");
    }

    @Test
    void refusesWhatItCannotCheck() {
        assertThatThrownBy(() -> PromQlReferences.of("rat(x_total[5m])"))
                .hasMessageContaining("not a PromQL function");
        assertThatThrownBy(() -> PromQlReferences.of("a / on (pod) b")).hasMessageContaining("vector matching");
        assertThatThrownBy(() -> PromQlReferences.of("{__name__=~\"router_.*\"}"))
                .hasMessageContaining("without a metric name");
        assertThatThrownBy(() -> PromQlReferences.of("rate($metric[5m])")).hasMessageContaining("Grafana variable");
        assertThatThrownBy(() -> PromQlReferences.of("sum(rate(x[5m])")).hasMessageContaining("without its ')'");
        assertThatThrownBy(() -> PromQlReferences.of("x{le=0.5}")).hasMessageContaining("label matcher");
    }
}
