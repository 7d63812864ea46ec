package io.loomsocket.web;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format, version 0.0.4
 * (prometheus.io/docs/instrumenting/exposition_formats): {@code # HELP} and {@code # TYPE} lines,
 * samples {@code name{label="value",...} value [timestamp]}, label values with the escapes
 * {@code \\}, {@code \"} and {@code \n}, values as Go floats ({@code NaN}, {@code +Inf}). Anything
 * else is an {@link IllegalArgumentException} naming the line: a TYPE after its family's samples
 * or given twice, a sample of an undeclared family, a duplicate series, a bad name or escape.
 */
public final class PrometheusText {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One series: its metric name and its labels (sorted), and the family it belongs to. */
    record Series(String name, Map<String, String> labels) {}

    private final Map<String, String> types = new HashMap<>();
    private final Map<String, String> help = new HashMap<>();
    private final Map<Series, Double> samples = new LinkedHashMap<>();

    private PrometheusText() {}

    public static PrometheusText parse(String text) {
        PrometheusText p = new PrometheusText();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            try {
                p.line(line);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("line " + n + " '" + line + "': " + e.getMessage(), e);
            }
        }
        if (!text.endsWith("\n")) throw new IllegalArgumentException("the exposition must end with a line feed");
        return p;
    }

    private void line(String line) {
        if (line.isEmpty()) return;
        if (line.startsWith("#")) {
            String[] parts = line.substring(1).strip().split("[ \t]+", 3);
            if (parts[0].equals("HELP") || parts[0].equals("TYPE")) {
                if (parts.length < 2 || !METRIC_NAME.matcher(parts[1]).matches()) throw new IllegalArgumentException("bad metric name");
                if (parts[0].equals("TYPE")) {
                    if (parts.length != 3 || !TYPES.contains(parts[2])) throw new IllegalArgumentException("bad type");
                    if (types.containsKey(parts[1])) throw new IllegalArgumentException("second TYPE for " + parts[1]);
                    for (Series s : samples.keySet()) {
                        if (familyOf(s.name(), parts[1], parts[2])) throw new IllegalArgumentException("TYPE after samples of " + parts[1]);
                    }
                    types.put(parts[1], parts[2]);
                } else {
                    if (help.containsKey(parts[1])) throw new IllegalArgumentException("second HELP for " + parts[1]);
                    help.put(parts[1], parts.length == 3 ? parts[2] : "");
                }
            }
            return; // other comments are ignored
        }
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ' && line.charAt(i) != '\t') i++;
        String name = line.substring(0, i);
        if (!METRIC_NAME.matcher(name).matches()) throw new IllegalArgumentException("bad metric name '" + name + "'");
        Map<String, String> labels = new TreeMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                String label = line.substring(i, eq).strip();
                if (!LABEL_NAME.matcher(label).matches()) throw new IllegalArgumentException("bad label name '" + label + "'");
                i = eq + 1;
                if (line.charAt(i) != '"') throw new IllegalArgumentException("label value without quotes");
                StringBuilder v = new StringBuilder();
                i++;
                while (line.charAt(i) != '"') {
                    char c = line.charAt(i++);
                    if (c == '\\') {
                        char e = line.charAt(i++);
                        switch (e) {
                            case '\\' -> v.append('\\');
                            case '"' -> v.append('"');
                            case 'n' -> v.append('\n');
                            default -> throw new IllegalArgumentException("bad escape \\" + e);
                        }
                    } else {
                        v.append(c);
                    }
                }
                i++;
                if (labels.put(label, v.toString()) != null) throw new IllegalArgumentException("label " + label + " twice");
                if (line.charAt(i) == ',') i++;
                else if (line.charAt(i) != '}') throw new IllegalArgumentException("expected , or } after a label");
            }
        }
        String[] rest = line.substring(i).strip().split("[ \t]+");
        if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) throw new IllegalArgumentException("expected a value and an optional timestamp");
        double value = switch (rest[0]) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(rest[0]);
        };
        if (rest.length == 2) Long.parseLong(rest[1]);
        boolean declared = types.entrySet().stream().anyMatch(t -> familyOf(name, t.getKey(), t.getValue()));
        if (!declared) throw new IllegalArgumentException("sample of " + name + " before (or without) its TYPE");
        if (samples.put(new Series(name, labels), value) != null) throw new IllegalArgumentException("duplicate series");
    }

    private static boolean familyOf(String sample, String family, String type) {
        if (sample.equals(family)) return true;
        return switch (type) {
            case "counter" -> sample.equals(family + "_total");
            case "summary" -> sample.equals(family + "_sum") || sample.equals(family + "_count");
            case "histogram" -> sample.equals(family + "_sum") || sample.equals(family + "_count") || sample.equals(family + "_bucket");
            default -> false;
        };
    }

    public String type(String family) {
        return types.get(family);
    }

    /** The value of the series {@code name} with exactly these labels, or null. */
    public Double value(String name, Map<String, String> labels) {
        return samples.get(new Series(name, new TreeMap<>(labels)));
    }

    public Double value(String name) {
        return value(name, Map.of());
    }

    Map<Series, Double> samples() {
        return samples;
    }
}
