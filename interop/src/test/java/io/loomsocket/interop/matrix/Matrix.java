package io.loomsocket.interop.matrix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The interop matrix: one row per pair of peers. Every added row rewrites
 * {@code target/interop-matrix.md} (surefire runs in the module folder), so the file always holds
 * the table of this run; {@link #print()} writes it to standard output.
 */
public final class Matrix {

    /** One pair's outcome. */
    public record Row(String pair, String messages, String compression, String close, String result) {
        boolean passed() { return result.startsWith("PASS"); }
    }

    /**
     * Summarises a pair's checks into a row: how many text/binary messages came back right, whether
     * fragmented messages and ping/pong were exchanged, and the close codes in both directions.
     */
    public static Row row(String pair, String compression, Checks checks) {
        java.util.List<String> lines = checks.lines();
        long msgs = lines.stream().filter(l -> l.matches("(PASS|FAIL) (text|binary) .*") && !l.contains("fragmented")).count();
        long msgsOk = lines.stream().filter(l -> l.matches("PASS (text|binary) .*") && !l.contains("fragmented")).count();
        StringBuilder m = new StringBuilder(msgsOk + "/" + msgs + " text+binary, 0 B to 1 MiB, non-ASCII");
        long frag = lines.stream().filter(l -> l.contains("fragmented")).count();
        long fragOk = lines.stream().filter(l -> l.startsWith("PASS") && l.contains("fragmented")).count();
        // a check that is missing was not reached when the driver failed early, else the peer cannot do it
        String missing = lines.stream().anyMatch(l -> l.startsWith("FAIL driver")) ? "not reached" : "n/a";
        m.append(frag == 0 ? "; fragments: " + missing : "; fragments " + fragOk + "/" + frag);
        String ping = status(lines, "ping -> pong");
        m.append("; ping/pong ").append(ping == null ? missing : ping);
        String c1 = status(lines, "client close 4001");
        String c2 = status(lines, "server close 4002");
        String close = "client 4001 " + (c1 == null ? "not reached" : c1) + ", server 4002 " + (c2 == null ? "not reached" : c2);
        // the negotiated Sec-WebSocket-Extensions value as the peer reported it, else the label
        String negotiated = lines.stream().filter(l -> l.contains("negotiated extensions=")).findFirst()
            .map(l -> l.replaceFirst("^(PASS|FAIL) negotiated extensions=", "").replaceFirst(":.*$", "")
                .replace("\"", "").replace("'", "").trim()).orElse("");
        String comp = negotiated.isEmpty() ? compression : negotiated;
        return new Row(pair, m.toString(), comp, close, checks.summary());
    }

    private static String status(java.util.List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.substring(5).startsWith(prefix)).findFirst()
            .map(l -> l.startsWith("PASS") ? "ok" : "FAIL").orElse(null);
    }

    public static final Path FILE = Path.of("target", "interop-matrix.md");

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final List<Row> ROWS = new ArrayList<>();

    private Matrix() {}

    public static void add(Row row) {
        LOCK.lock();
        try {
            ROWS.removeIf(r -> r.pair().equals(row.pair()) && r.compression().equals(row.compression()));
            ROWS.add(row);
            ROWS.sort(Comparator.comparing(Row::pair).thenComparing(Row::compression));
            write();
        } finally {
            LOCK.unlock();
        }
    }

    public static String table() {
        LOCK.lock();
        try {
            StringBuilder sb = new StringBuilder("| pair | messages | compression | close | result |\n|---|---|---|---|---|\n");
            for (Row r : ROWS) {
                sb.append("| ").append(esc(r.pair())).append(" | ").append(esc(r.messages())).append(" | ")
                    .append(esc(r.compression())).append(" | ").append(esc(r.close())).append(" | ")
                    .append(esc(r.result())).append(" |\n");
            }
            return sb.toString();
        } finally {
            LOCK.unlock();
        }
    }

    public static void print() {
        System.out.println("\nInterop matrix (also in interop/" + FILE + "):\n" + table());
    }

    private static void write() {
        try {
            Files.createDirectories(FILE.toAbsolutePath().getParent());
            Files.writeString(FILE, "# loomsocket interop matrix\n\nWritten by `ServerInteropTest` and `ClientInteropTest` (module interop) on every run.\n\n" + table());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String esc(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
