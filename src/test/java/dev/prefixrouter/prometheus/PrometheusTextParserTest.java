package dev.prefixrouter.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.prefixrouter.support.MetricsPayloads;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrometheusTextParserTest {

    private final PrometheusTextParser parser = new PrometheusTextParser();

    private Sample only(String body) {
        ParsedScrape scrape = parser.parse(body);
        assertThat(scrape.skippedLines()).as("skipped lines").isZero();
        assertThat(scrape.samples()).hasSize(1);
        return scrape.samples().get(0);
    }

    private void assertSkipped(String line) {
        ParsedScrape scrape = parser.parse(line + "\nok 1\n");
        assertThat(scrape.skippedLines()).as("skipped lines of %s", line).isEqualTo(1);
        assertThat(scrape.firstSkippedLine()).isEqualTo(line);
        assertThat(scrape.samples()).extracting(Sample::name).containsExactly("ok");
    }

    @Nested
    class Structure {

        @Test
        void skipsHelpTypeOtherCommentsAndBlankLinesWithoutCountingThem() {
            ParsedScrape scrape = parser.parse("""
                    # HELP up Whether the target is up.
                    # TYPE up gauge
                    #a comment without a blank
                    #
                       \t
                    up 1

                      # indented comment
                    """);
            assertThat(scrape.samples()).containsExactly(new Sample("up", Map.of(), 1));
            assertThat(scrape.skippedLines()).isZero();
            assertThat(scrape.firstSkippedLine()).isEmpty();
        }

        @Test
        void acceptsCrlfLineEndings() {
            ParsedScrape scrape = parser.parse("# TYPE a gauge\r\na{x=\"1\"} 2\r\n\r\nb 3\r\n");
            assertThat(scrape.samples()).containsExactly(
                    new Sample("a", Map.of("x", "1"), 2), new Sample("b", Map.of(), 3));
            assertThat(scrape.skippedLines()).isZero();
        }

        @Test
        void acceptsALastLineWithoutNewlineAndAnEmptyBody() {
            assertThat(parser.parse("a 1\nb 2").samples()).extracting(Sample::name).containsExactly("a", "b");
            assertThat(parser.parse("").samples()).isEmpty();
            assertThat(parser.parse("\n\r\n").skippedLines()).isZero();
        }

        @Test
        void toleratesAByteOrderMarkAndLeadingBlanks() {
            ParsedScrape scrape = parser.parse("\uFEFFa 1\n  \tb 2\n");
            assertThat(scrape.samples()).extracting(Sample::name).containsExactly("a", "b");
        }

        @Test
        void parsesAnyCharSequence() {
            StringBuilder body = new StringBuilder("vllm:x{a=\"b\\\"c\"} 1\n").append("y 2");
            assertThat(parser.parse(body).samples()).containsExactly(
                    new Sample("vllm:x", Map.of("a", "b\"c"), 1), new Sample("y", Map.of(), 2));
        }

        @Test
        void keepsSamplesInBodyOrder() {
            ParsedScrape scrape = parser.parse("c 1\na 2\nb 3\n");
            assertThat(scrape.samples()).extracting(Sample::name).containsExactly("c", "a", "b");
        }
    }

    @Nested
    class NamesAndLabels {

        @Test
        void metricNamesMayHoldColonsAndDigits() {
            assertThat(only("vllm:num_requests_running 3").name()).isEqualTo("vllm:num_requests_running");
            assertThat(only(":leading_colon_9 1").name()).isEqualTo(":leading_colon_9");
        }

        @Test
        void unescapesBackslashQuoteAndNewlineInLabelValues() {
            Sample sample = only("m{path=\"C:\\\\models\\\\x\",quote=\"say \\\"hi\\\"\",text=\"a\\nb\"} 1");
            assertThat(sample.labels()).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "path", "C:\\models\\x", "quote", "say \"hi\"", "text", "a\nb"));
        }

        @Test
        void labelValuesMayHoldBracesCommasHashesAndUnicode() {
            Sample sample = only("m{v=\"{a},b # c=d\",w=\"模型 ✓\"} 1");
            assertThat(sample.labels()).containsEntry("v", "{a},b # c=d").containsEntry("w", "模型 ✓");
        }

        @Test
        void anEmptyLabelSetIsNoLabels() {
            Sample sample = only("m{} 4");
            assertThat(sample.labels()).isEmpty();
            assertThat(sample.value()).isEqualTo(4);
        }

        @Test
        void aTrailingCommaInTheLabelSetIsAllowed() {
            assertThat(only("m{a=\"1\",b=\"2\",} 1").labels()).isEqualTo(Map.of("a", "1", "b", "2"));
        }

        @Test
        void blanksMaySeparateLabelTokens() {
            Sample sample = only("m { a = \"1\" , b=\"2\" , } 5");
            assertThat(sample.labels()).isEqualTo(Map.of("a", "1", "b", "2"));
        }

        @Test
        void emptyLabelValuesAreKept() {
            assertThat(only("m{engine=\"\"} 1").label("engine")).isEmpty();
        }

        @Test
        void noBlankIsNeededBetweenTheLabelSetAndTheValue() {
            assertThat(only("m{a=\"1\"}7").value()).isEqualTo(7);
        }

        @Test
        void labelsAreImmutable() {
            Sample sample = only("m{a=\"1\"} 1");
            assertThatCode(() -> sample.labels().put("b", "2")).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Nested
    class Values {

        @Test
        void parsesInfinitiesAndNaN() {
            assertThat(only("m +Inf").value()).isEqualTo(Double.POSITIVE_INFINITY);
            assertThat(only("m -Inf").value()).isEqualTo(Double.NEGATIVE_INFINITY);
            assertThat(only("m Inf").value()).isEqualTo(Double.POSITIVE_INFINITY);
            assertThat(only("m NaN").value()).isNaN();
            assertThat(only("m nan").value()).isNaN();
            assertThat(only("m -infinity").value()).isEqualTo(Double.NEGATIVE_INFINITY);
        }

        @Test
        void parsesScientificNotationAndPlainDecimals() {
            assertThat(only("m 8.128902e+06").value()).isEqualTo(8_128_902);
            assertThat(only("m 1.7329e+09").value()).isEqualTo(1.7329e9);
            assertThat(only("m 4.953437685750739e-05").value()).isEqualTo(4.953437685750739e-05);
            assertThat(only("m 2E3").value()).isEqualTo(2000);
            assertThat(only("m -0.5").value()).isEqualTo(-0.5);
            assertThat(only("m +3").value()).isEqualTo(3);
            assertThat(only("m .25").value()).isEqualTo(0.25);
            assertThat(only("m 1.").value()).isEqualTo(1);
        }

        @Test
        void acceptsAndIgnoresAnOptionalTimestamp() {
            Sample sample = only("http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000");
            assertThat(sample.value()).isEqualTo(1027);
            assertThat(only("m 1 -1395066363000").value()).isEqualTo(1);
            assertThat(only("m{a=\"b\"}  2 \t 1395066363000  ").value()).isEqualTo(2);
        }

        @ParameterizedTest
        @ValueSource(strings = {"m 1.0d", "m 1f", "m 0x10", "m 0x1p3", "m 1e", "m e5", "m .", "m +", "m --1",
                "m 1..2", "m 1,5", "m +NaN", "m Infinit", "m 1_000", "m ", "m", "m \u0130nf"})
        void rejectsValuesThatAreNotGoFloats(String line) {
            assertSkipped(line);
        }

        @ParameterizedTest
        @ValueSource(strings = {"m 1 1.5", "m 1 12a", "m 1 99999999999999999999", "m 1 2 3", "m 1 -"})
        void rejectsBadTimestampsAndTrailingTokens(String line) {
            assertSkipped(line);
        }
    }

    @Nested
    class HistogramsAndSummaries {

        @Test
        void exposesEverySeriesOfAHistogramAsItsOwnSample() {
            ParsedScrape scrape = parser.parse("""
                    # HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
                    # TYPE vllm:time_to_first_token_seconds histogram
                    vllm:time_to_first_token_seconds_bucket{model_name="m",le="0.5"} 3.0
                    vllm:time_to_first_token_seconds_bucket{model_name="m",le="+Inf"} 4.0
                    vllm:time_to_first_token_seconds_count{model_name="m"} 4.0
                    vllm:time_to_first_token_seconds_sum{model_name="m"} 2.25
                    """);
            assertThat(scrape.samples()).containsExactly(
                    new Sample("vllm:time_to_first_token_seconds_bucket", Map.of("model_name", "m", "le", "0.5"), 3),
                    new Sample("vllm:time_to_first_token_seconds_bucket", Map.of("model_name", "m", "le", "+Inf"), 4),
                    new Sample("vllm:time_to_first_token_seconds_count", Map.of("model_name", "m"), 4),
                    new Sample("vllm:time_to_first_token_seconds_sum", Map.of("model_name", "m"), 2.25));
        }

        @Test
        void exposesSummaryQuantilesWithNaN() {
            ParsedScrape scrape = parser.parse("""
                    # TYPE rpc_duration_seconds summary
                    rpc_duration_seconds{quantile="0.5"} NaN
                    rpc_duration_seconds{quantile="0.99"} 7.6e-05
                    rpc_duration_seconds_sum 1.7560473e+07
                    rpc_duration_seconds_count 2693
                    """);
            assertThat(scrape.skippedLines()).isZero();
            assertThat(scrape.samples()).hasSize(4);
            assertThat(scrape.samples().get(0).value()).isNaN();
            assertThat(scrape.samples().get(1).label("quantile")).isEqualTo("0.99");
        }
    }

    @Nested
    class EnginePayloads {

        @Test
        void parsesAVllmScrapeCompletely() {
            ParsedScrape scrape = parser.parse(MetricsPayloads.vllm());
            assertThat(scrape.skippedLines()).isZero();
            assertThat(scrape.samples()).hasSize((int) MetricsPayloads.vllm().lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#")).count());
            assertThat(scrape.samples()).contains(
                    new Sample("vllm:num_requests_running",
                            Map.of("model_name", "meta-llama/Llama-3.1-8B-Instruct", "engine", "1"), 2),
                    new Sample("vllm:time_to_first_token_seconds_bucket",
                            Map.of("model_name", "meta-llama/Llama-3.1-8B-Instruct", "engine", "0", "le", "+Inf"), 100),
                    new Sample("process_virtual_memory_bytes", Map.of(), 7.1604662272e10));
            Sample cacheConfig = scrape.samples().stream()
                    .filter(sample -> sample.name().equals("vllm:cache_config_info")).findFirst().orElseThrow();
            assertThat(cacheConfig.labels()).hasSizeGreaterThan(20)
                    .containsEntry("block_size", "16").containsEntry("num_gpu_blocks", "27000")
                    .containsEntry("sliding_window", "None");
            assertThat(cacheConfig.value()).isEqualTo(1);
        }

        @Test
        void parsesTheSameScrapeWithCrlfLineEndings() {
            String crlf = MetricsPayloads.vllm().replace("\n", "\r\n");
            assertThat(parser.parse(crlf)).isEqualTo(parser.parse(MetricsPayloads.vllm()));
        }

        @Test
        void parsesAnSglangScrapeCompletely() {
            ParsedScrape scrape = parser.parse(MetricsPayloads.sglang());
            assertThat(scrape.skippedLines()).isZero();
            assertThat(scrape.samples()).contains(new Sample("sglang:time_to_first_token_seconds_bucket", Map.of(
                    "le", "0.4", "engine_type", "unified", "model_name", "Qwen/Qwen3-8B", "pp_rank", "0",
                    "tp_rank", "0", "dp_rank", "0"), 3));
        }
    }

    @Nested
    class Garbage {

        @ParameterizedTest
        @ValueSource(strings = {
                "<html><body>502 Bad Gateway</body></html>",
                "9metric 1",
                "me-tric 1",
                "m{a=\"1\" 2",
                "m{a=\"1} 2",
                "m{a=1} 2",
                "m{a} 2",
                "m{,} 2",
                "m{a=\"1\",,} 2",
                "m{a=\"1\" b=\"2\"} 2",
                "m{9a=\"1\"} 2",
                "m{a:b=\"1\"} 2",
                "m{a=\"1\",a=\"2\"} 3",
                "m{a=\"bad \\t escape\"} 1",
                "m{a=\"trailing backslash\\",
                "m{a=\"1\"}",
                "m{a=\"1\"} ",
                "m1x",
                "m{a=\"1\"}} 1",
                "{a=\"1\"} 1",
                "m 1 # {trace_id=\"abc\"} 1.0",
                "\u0000\u0001 1"})
        void skipsAndCountsAMalformedLineAndKeepsTheGoodOnes(String line) {
            assertSkipped(line);
        }

        @Test
        void countsEveryMalformedLineAndQuotesTheFirst() {
            ParsedScrape scrape = parser.parse("good_a 1\nbad{ 1\ngood_b 2\nalso bad\r\ngood_c 3\n");
            assertThat(scrape.samples()).extracting(Sample::name).containsExactly("good_a", "good_b", "good_c");
            assertThat(scrape.skippedLines()).isEqualTo(2);
            assertThat(scrape.firstSkippedLine()).isEqualTo("bad{ 1");
        }

        @Test
        void quotesOnlyTheStartOfAHugeMalformedLine() {
            String huge = "x".repeat(10_000) + " not-a-number";
            ParsedScrape scrape = parser.parse(huge);
            assertThat(scrape.skippedLines()).isEqualTo(1);
            assertThat(scrape.firstSkippedLine()).hasSize(ParsedScrape.MAX_QUOTED_LINE);
        }

        @Test
        void aTruncatedBodyLosesOnlyItsLastLine() {
            ParsedScrape scrape = parser.parse("a{x=\"1\"} 1\nb{x=\"2\"} 2\nc{x=\"");
            assertThat(scrape.samples()).extracting(Sample::name).containsExactly("a", "b");
            assertThat(scrape.skippedLines()).isEqualTo(1);
        }

        /** Random bytes and random mutations of valid lines: never throws, and counts add up per line. */
        @Test
        void neverThrowsOnRandomInput() {
            Random random = new Random(20261125);
            String alphabet = "ab:_{}=\",\\\"n# \t\r\n.+-eE0123456789InfNa\u00e9\u0000";
            String valid = "vllm:x_bucket{model_name=\"a\\\"b\",le=\"+Inf\",} 1.5e+03 1700000000000\n";
            for (int round = 0; round < 2_000; round++) {
                StringBuilder body = new StringBuilder();
                int length = random.nextInt(200);
                for (int i = 0; i < length; i++) {
                    body.append(random.nextBoolean()
                            ? alphabet.charAt(random.nextInt(alphabet.length()))
                            : valid.charAt(random.nextInt(valid.length())));
                }
                String text = round % 2 == 0 ? body.toString() : mutate(valid.repeat(3), random);
                ParsedScrape scrape = parser.parse(text);
                assertThat(scrape.samples().size() + scrape.skippedLines())
                        .as("samples + skipped for %s", text).isEqualTo(contentLines(text));
            }
        }

        /** Lines that are neither blank nor comments, by the format's own definition of a line. */
        private int contentLines(String text) {
            int count = 0;
            for (String line : text.split("\n", -1)) {
                String content = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
                content = content.replaceFirst("^[ \t]+", "");
                if (!content.isEmpty() && !content.startsWith("#")) {
                    count++;
                }
            }
            return count;
        }

        private String mutate(String text, Random random) {
            StringBuilder mutated = new StringBuilder(text);
            for (int i = 0; i < 1 + random.nextInt(3); i++) {
                int at = random.nextInt(mutated.length());
                switch (random.nextInt(3)) {
                    case 0 -> mutated.deleteCharAt(at);
                    case 1 -> mutated.insert(at, (char) (32 + random.nextInt(95)));
                    default -> mutated.setCharAt(at, (char) (32 + random.nextInt(95)));
                }
            }
            return mutated.toString();
        }
    }
}
