package dev.prefixrouter.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.NumberFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's charts, drawn headless with JFreeChart as PNG: the TTFT distribution per policy (one chart per
 * regime, cumulative, log-scaled time), the engines' hit rate per policy beside the oracle's, and the router
 * index's accounted bytes over time with the bounded run's budget.
 */
final class BenchmarkCharts {

    private static final int WIDTH = 960;
    private static final int HEIGHT = 540;
    private static final Map<String, Color> POLICY_COLORS = Map.of(
            "round-robin", new Color(0x8c8c8c),
            "least-loaded", new Color(0xb07aa1),
            "session", new Color(0xedc948),
            "prefix-aware", new Color(0x4e79a7),
            "prefix-aware-bounded", new Color(0x59a14f),
            "precise", new Color(0xf28e2b),
            "oracle", new Color(0xe15759),
            "external", new Color(0x4e79a7));
    private static final Map<String, Color> REGIME_COLORS = Map.of(
            "roomy", new Color(0x4e79a7), "pressured", new Color(0xf28e2b), "external", new Color(0x59a14f));

    private final List<RunResult> runs;
    private final BenchParameters parameters;

    BenchmarkCharts(List<RunResult> runs, BenchParameters parameters) {
        this.runs = runs;
        this.parameters = parameters;
    }

    void writeAll(Path directory) throws IOException {
        for (String regime : regimes()) {
            save(ttftDistribution(regime), directory.resolve(String.format(MarkdownReport.TTFT_CHART, regime)));
        }
        save(hitRates(), directory.resolve(MarkdownReport.HIT_RATE_CHART));
        save(indexBytes(), directory.resolve(MarkdownReport.INDEX_CHART));
    }

    private List<String> regimes() {
        return runs.stream().map(RunResult::regime).distinct().toList();
    }

    JFreeChart ttftDistribution(String regime) {
        XYSeriesCollection data = new XYSeriesCollection();
        List<RunResult> inRegime = runs.stream().filter(r -> r.regime().equals(regime)).toList();
        for (RunResult run : inRegime) {
            XYSeries series = new XYSeries(run.policy(), false, true);
            List<Double> quantiles = run.ttftQuantiles();
            for (int q = 0; q < quantiles.size(); q++) {
                double seconds = quantiles.get(q);
                if (!Double.isNaN(seconds) && seconds > 0) {
                    series.add(seconds, q / 100.0);
                }
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Time to first token, " + regime
                        + " (share of requests answered within x)", "TTFT, engine seconds (log scale)",
                "share of requests", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        LogAxis time = new LogAxis("TTFT, engine seconds (log scale)");
        time.setNumberFormatOverride(new DecimalFormat("0.###"));
        time.setSmallestValue(1e-3);
        plot.setDomainAxis(time);
        ((NumberAxis) plot.getRangeAxis()).setNumberFormatOverride(NumberFormat.getPercentInstance(Locale.ROOT));
        plot.getRangeAxis().setRange(0, 1.0);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < inRegime.size(); i++) {
            renderer.setSeriesPaint(i, POLICY_COLORS.getOrDefault(inRegime.get(i).policy(), Color.BLACK));
            renderer.setSeriesStroke(i, inRegime.get(i).policy().equals("oracle") ? dashed(2.5f) : new BasicStroke(2.5f));
        }
        plot.setRenderer(renderer);
        for (double level : new double[] {0.5, 0.9, 0.99}) {
            ValueMarker marker = new ValueMarker(level, new Color(0x999999), dashed(1f));
            marker.setLabel("p" + Math.round(level * 100));
            marker.setLabelAnchor(RectangleAnchor.BOTTOM_LEFT);
            marker.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
            plot.addRangeMarker(marker);
        }
        return style(chart);
    }

    JFreeChart hitRates() {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (RunResult run : runs) {
            if (!Double.isNaN(run.engineHitRate())) {
                data.addValue(run.engineHitRate(), run.regime(), run.policy());
            }
        }
        JFreeChart chart = ChartFactory.createBarChart("Engine prefix-cache hit rate per policy (tokens), against the"
                + " oracle", "policy", "hit rate", data, PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.getDomainAxis().setMaximumCategoryLabelLines(2);
        NumberAxis axis = (NumberAxis) plot.getRangeAxis();
        axis.setNumberFormatOverride(NumberFormat.getPercentInstance(Locale.ROOT));
        axis.setRange(0, 1.05);
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.05);
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}",
                new DecimalFormat("0.0%")));
        renderer.setDefaultItemLabelsVisible(true);
        List<String> regimes = regimes();
        for (int i = 0; i < regimes.size(); i++) {
            String regime = regimes.get(i);
            Color color = REGIME_COLORS.getOrDefault(regime, Color.DARK_GRAY);
            renderer.setSeriesPaint(i, color);
            Targets.find(runs, regime, PolicyUnderTest.ORACLE).ifPresent(oracle -> {
                ValueMarker marker = new ValueMarker(oracle.engineHitRate(), color.darker(), dashed(1.5f));
                marker.setLabel(String.format(Locale.ROOT, "oracle, %s: %.1f%%", regime,
                        100 * oracle.engineHitRate()));
                marker.setLabelAnchor(RectangleAnchor.TOP_LEFT);
                marker.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
                marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                plot.addRangeMarker(marker);
            });
        }
        return style(chart);
    }

    JFreeChart indexBytes() {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        int series = 0;
        List<ValueMarker> budgets = new java.util.ArrayList<>();
        for (RunResult run : runs) {
            if (!run.indexed()) {
                continue;
            }
            boolean bounded = run.budgetBytes() < parameters.unboundedBudgetBytes();
            XYSeries line = new XYSeries(run.regime() + ", " + run.policy(), false, true);
            run.index().forEach(s -> line.add(s.engineSeconds(), s.accountedBytes() / 1024.0));
            data.addSeries(line);
            Color color = REGIME_COLORS.getOrDefault(run.regime(), Color.DARK_GRAY);
            Color paint = bounded ? color.darker() : color;
            renderer.setSeriesPaint(series, paint);
            renderer.setSeriesStroke(series, new BasicStroke(bounded ? 2.5f : 1.5f));
            series++;
            if (bounded) {
                ValueMarker budget = new ValueMarker(run.budgetBytes() / 1024.0, paint, dashed(1.5f));
                budget.setLabel(String.format(Locale.ROOT, "budget, %s: %s", run.regime(),
                        Format.bytes(run.budgetBytes())));
                budget.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
                budget.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
                budget.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                budgets.add(budget);
            }
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Router prefix index: accounted bytes over time",
                "engine seconds since the run began", "KiB", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setRenderer(renderer);
        budgets.forEach(plot::addRangeMarker);
        return style(chart);
    }

    private static JFreeChart style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        Paint grid = new Color(0xdddddd);
        if (chart.getPlot() instanceof XYPlot xy) {
            xy.setBackgroundPaint(Color.WHITE);
            xy.setDomainGridlinePaint(grid);
            xy.setRangeGridlinePaint(grid);
        } else if (chart.getPlot() instanceof CategoryPlot category) {
            category.setBackgroundPaint(Color.WHITE);
            category.setRangeGridlinePaint(grid);
        }
        return chart;
    }

    private static BasicStroke dashed(float width) {
        return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
    }

    private static void save(JFreeChart chart, Path file) throws IOException {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }
}
