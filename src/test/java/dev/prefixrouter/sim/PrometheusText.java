package dev.prefixrouter.sim;

import dev.prefixrouter.prometheus.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict little parser for the Prometheus text exposition format (0.0.4), enough to check the simulator's
 * output: every sample belongs to a family declared by {@code # HELP} then {@code # TYPE} before its samples,
 * families are not repeated, label sets are well formed, values are floats.
 */
final class PrometheusText {

    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.+)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram)");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(?:\\{(.*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"(,|$)");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    record Family(String name, String help, String type, List<Sample> samples) {
    }

    private PrometheusText() {
    }

    static Map<String, Family> parse(String text) {
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("exposition must end with a line feed");
        }
        Map<String, Family> families = new LinkedHashMap<>();
        String help = null;
        String helpName = null;
        Family current = null;
        for (String line : text.split("\n")) {
            Matcher m;
            if ((m = HELP.matcher(line)).matches()) {
                helpName = m.group(1);
                help = m.group(2);
            } else if ((m = TYPE.matcher(line)).matches()) {
                String name = m.group(1);
                if (!name.equals(helpName)) {
                    throw new IllegalArgumentException("TYPE without HELP just before it: " + line);
                }
                if (families.containsKey(name)) {
                    throw new IllegalArgumentException("family declared twice: " + name);
                }
                current = new Family(name, help, m.group(2), new ArrayList<>());
                families.put(name, current);
            } else if ((m = SAMPLE.matcher(line)).matches()) {
                if (current == null || !belongsTo(m.group(1), current)) {
                    throw new IllegalArgumentException("sample outside its family: " + line);
                }
                current.samples().add(new Sample(m.group(1), labels(m.group(2), line), Double.parseDouble(
                        m.group(3).replace("+Inf", "Infinity"))));
            } else {
                throw new IllegalArgumentException("not a valid line: " + line);
            }
        }
        return families;
    }

    private static boolean belongsTo(String sampleName, Family family) {
        if (!family.type().equals("histogram")) {
            return sampleName.equals(family.name());
        }
        return sampleName.equals(family.name() + "_bucket") || sampleName.equals(family.name() + "_count")
                || sampleName.equals(family.name() + "_sum");
    }

    private static Map<String, String> labels(String text, String line) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (text == null) {
            return labels;
        }
        Matcher m = LABEL.matcher(text);
        int at = 0;
        while (at < text.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("bad labels in: " + line);
            }
            if (labels.put(m.group(1), m.group(2)) != null) {
                throw new IllegalArgumentException("label repeated in: " + line);
            }
            at = m.end();
        }
        return labels;
    }
}
