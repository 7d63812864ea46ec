package io.loomsocket.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the {@code RESULT server=... run=... mode=... key=value} lines that bench/run.sh
 * collected into the Markdown table: one row per server, medians over runs, the spread
 * (min-max) when there were several, and ratios to Netty (to Netty with permessage-deflate
 * for the "-deflate" rows).
 */
public final class Report {
    /** The figures of one server, each a list with one value per run. */
    static final class Row {
        final String server;
        final Map<String, List<Double>> values = new HashMap<>();
        final List<String> notes = new ArrayList<>();

        Row(String server) { this.server = server; }

        void add(String metric, double v) { values.computeIfAbsent(metric, k -> new ArrayList<>()).add(v); }

        /** The median over runs, or NaN when the metric was not measured. */
        double median(String metric) {
            List<Double> l = values.get(metric);
            if (l == null || l.isEmpty()) return Double.NaN;
            List<Double> s = new ArrayList<>(l);
            s.sort(null);
            int n = s.size();
            return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
        }

        String spread(String metric, String format) {
            List<Double> l = values.get(metric);
            if (l == null || l.size() < 2) return "";
            double min = l.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            double max = l.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            return " (" + String.format(Locale.ROOT, format, min) + "–" + String.format(Locale.ROOT, format, max) + ")";
        }
    }

    private Report() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Report bench/results/latest.txt");
            System.exit(2);
        }
        System.out.print(render(Files.readAllLines(Path.of(args[0]))));
    }

    static Map<String, Row> parse(List<String> lines) {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : lines) {
            String[] parts = line.trim().split(" ");
            if (parts.length < 2) continue;
            Map<String, String> kv = new HashMap<>();
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                if (eq > 0) kv.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
            }
            String server = kv.get("server");
            if (server == null) continue;
            Row row = rows.computeIfAbsent(server, Row::new);
            switch (parts[0]) {
                case "SKIPPED" -> { if (row.notes.isEmpty()) row.notes.add(kv.getOrDefault("why", "skipped").replace('_', ' ')); }
                case "FAILED" -> row.notes.add(kv.getOrDefault("mode", "?") + " failed");
                case "RESULT" -> addResult(row, kv);
                default -> { }
            }
        }
        return rows;
    }

    private static void addResult(Row row, Map<String, String> kv) {
        String mode = kv.getOrDefault("mode", "");
        switch (mode) {
            case "echo" -> {
                if ("64".equals(kv.get("size"))) {
                    row.add("echo64", d(kv, "msgs_per_s"));
                    double cpu = d(kv, "server_cpu_s");
                    if (cpu > 0) row.add("echo64_per_cpu", d(kv, "msgs_per_s") * d(kv, "seconds") / cpu);
                    row.add("echo64_p99", d(kv, "p99_us"));
                } else {
                    row.add("echo16k", d(kv, "mb_per_s"));
                    double cpu = d(kv, "server_cpu_s");
                    if (cpu > 0) row.add("echo16k_per_cpu", d(kv, "mb_per_s") * d(kv, "seconds") / cpu);
                }
                if (d(kv, "errors") > 0) row.notes.add("echo " + kv.get("size") + " B: " + kv.get("errors") + " errors");
            }
            case "latency" -> {
                row.add("p50", d(kv, "p50_us"));
                row.add("p99", d(kv, "p99_us"));
                row.add("p999", d(kv, "p999_us"));
            }
            case "idle" -> {
                row.add("idle", d(kv, "kib_per_conn"));
                row.add("idle_rss_mib", d(kv, "rss_after_kib") / 1024);
                if (d(kv, "failed") > 0) row.notes.add("idle: " + kv.get("failed") + " of " + kv.get("n") + " failed");
            }
            case "handshake" -> {
                row.add("hs", d(kv, "handshakes_per_s"));
                if (d(kv, "failed") > 0) row.notes.add("handshakes: " + kv.get("failed") + " failed");
            }
            default -> { }
        }
    }

    private static double d(Map<String, String> kv, String key) {
        String v = kv.get(key);
        return v == null ? Double.NaN : Double.parseDouble(v);
    }

    static String render(List<String> lines) {
        Map<String, Row> rows = parse(lines);
        StringBuilder sb = new StringBuilder();
        sb.append("| server | echo 64 B msg/s | echo 16 KiB MB/s | p50/p99 µs | KiB per idle conn | handshakes/s | ratio to Netty (64 B · 16 KiB · p99 · idle KiB · handshakes) |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows.values()) {
            Row base = rows.get(r.server.contains("-deflate") ? "netty-deflate" : "netty");
            sb.append("| ").append(r.server)
                    .append(" | ").append(fmt(r.median("echo64"), "%,.0f")).append(r.spread("echo64", "%,.0f"))
                    .append(" | ").append(fmt(r.median("echo16k"), "%,.0f")).append(r.spread("echo16k", "%,.0f"))
                    .append(" | ").append(fmt(r.median("p50"), "%,.0f")).append(" / ").append(fmt(r.median("p99"), "%,.0f"))
                    .append(r.spread("p99", "%,.0f"))
                    .append(" | ").append(fmt(r.median("idle"), "%.2f")).append(r.spread("idle", "%.2f"))
                    .append(" | ").append(fmt(r.median("hs"), "%,.0f")).append(r.spread("hs", "%,.0f"))
                    .append(" | ").append(ratios(r, base)).append(" |\n");
        }
        sb.append("\nHigher is better except latency and idle KiB; a ratio above 1 is better than Netty except for p99 and idle KiB, where below 1 is better.\n");
        sb.append("\nServer efficiency (the cores are shared, so these say more than raw rates):\n\n");
        sb.append("| server | echo 64 B msgs per server CPU-s | echo 16 KiB MB per server CPU-s | ratio to Netty (64 B · 16 KiB) | p99.9 µs (latency) | p99 µs under echo 64 B load | server RSS with idle conns, MiB |\n");
        sb.append("|---|---:|---:|---|---:|---:|---:|\n");
        for (Row r : rows.values()) {
            Row base = rows.get(r.server.contains("-deflate") ? "netty-deflate" : "netty");
            String ratio = base == null ? "–" : base == r ? "1 (reference)"
                    : fmt(r.median("echo64_per_cpu") / base.median("echo64_per_cpu"), "%.2f") + " · "
                    + fmt(r.median("echo16k_per_cpu") / base.median("echo16k_per_cpu"), "%.2f");
            sb.append("| ").append(r.server)
                    .append(" | ").append(fmt(r.median("echo64_per_cpu"), "%,.0f")).append(r.spread("echo64_per_cpu", "%,.0f"))
                    .append(" | ").append(fmt(r.median("echo16k_per_cpu"), "%,.0f")).append(r.spread("echo16k_per_cpu", "%,.0f"))
                    .append(" | ").append(ratio)
                    .append(" | ").append(fmt(r.median("p999"), "%,.0f"))
                    .append(" | ").append(fmt(r.median("echo64_p99"), "%,.0f"))
                    .append(" | ").append(fmt(r.median("idle_rss_mib"), "%,.0f")).append(" |\n");
        }
        boolean notes = rows.values().stream().anyMatch(r -> !r.notes.isEmpty());
        if (notes) {
            sb.append("\nNotes:\n");
            for (Row r : rows.values()) for (String n : r.notes) sb.append("- ").append(r.server).append(": ").append(n).append('\n');
        }
        return sb.toString();
    }

    private static String ratios(Row r, Row base) {
        if (base == null || base == r) return base == r ? "1 (reference)" : "–";
        return String.join(" · ",
                fmt(r.median("echo64") / base.median("echo64"), "%.2f"),
                fmt(r.median("echo16k") / base.median("echo16k"), "%.2f"),
                fmt(r.median("p99") / base.median("p99"), "%.2f"),
                fmt(r.median("idle") / base.median("idle"), "%.2f"),
                fmt(r.median("hs") / base.median("hs"), "%.2f"));
    }

    private static String fmt(double v, String format) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "–" : String.format(Locale.ROOT, format, v);
    }
}
