package io.loomsocket.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resource probes of a JVM by process id (this one: {@link #self()}), for leak checks: open file
 * descriptors (/proc/PID/fd), threads platform and virtual (a JSON thread dump by {@code jcmd PID
 * Thread.dump_to_file}: ThreadMXBean does not see virtual threads), and live heap by class
 * ({@code jcmd GC.class_histogram}, which runs a full GC first). jcmd needs no module of the JDK
 * in the test's module graph.
 */
public final class JvmProbe {
    /** How long one jcmd may take (a class histogram of a big heap takes a while on a busy box). */
    public static final Duration JCMD_TIMEOUT = Duration.ofSeconds(120);

    private static final Pattern TID = Pattern.compile("\"tid\"\\s*:");
    private static final Pattern NAME = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)");
    private static final Pattern CLASS_ROW = Pattern.compile("(?m)^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)");

    private JvmProbe() {}

    public static long self() {
        return ProcessHandle.current().pid();
    }

    /** Open file descriptors of {@code pid}. */
    public static int fds(long pid) {
        try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return (int) s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every thread of the JVM, platform and virtual, counted in a JSON thread dump. */
    public static int threads(long pid) {
        return count(TID.matcher(threadDump(pid)));
    }

    /** Threads of the JVM whose name starts with {@code prefix} (e.g. "loomsocket-conn"). */
    public static int threadsNamed(long pid, String prefix) {
        Matcher m = NAME.matcher(threadDump(pid));
        int n = 0;
        while (m.find()) if (m.group(1).startsWith(prefix)) n++;
        return n;
    }

    /** {@code jcmd PID Thread.dump_to_file -format=json FILE}, read back: every thread, virtual ones included. */
    public static String threadDump(long pid) {
        try {
            Path dir = Files.createTempDirectory("threads");
            Path file = dir.resolve("dump.json");
            jcmd(pid, "Thread.dump_to_file", "-format=json", file.toString());
            String s = Files.readString(file);
            Files.delete(file);
            Files.delete(dir);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes of live objects after a full GC (the class histogram's total). */
    public static long liveHeap(long pid) {
        String out = jcmd(pid, "GC.class_histogram");
        Matcher m = TOTAL.matcher(out);
        if (!m.find()) throw new IllegalStateException("no total in the class histogram: " + out.lines().limit(5).toList());
        return Long.parseLong(m.group(1));
    }

    /** Live bytes per class after a full GC ({@code jcmd GC.class_histogram}). */
    public static Map<String, Long> histogram(long pid) {
        Map<String, Long> h = new HashMap<>();
        Matcher m = CLASS_ROW.matcher(jcmd(pid, "GC.class_histogram"));
        while (m.find()) h.merge(m.group(2), Long.parseLong(m.group(1)), Long::sum);
        return h;
    }

    /** The classes that grew most between two histograms, for a failure message. */
    public static String growth(Map<String, Long> before, Map<String, Long> after) {
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(15)
                .map(e -> e.getKey() + " +" + e.getValue() / 1024 + " KB").reduce((a, b) -> a + "\n" + b).orElse("");
    }

    /** Runs {@code jcmd PID command...} and returns its output; an IllegalStateException if it fails. */
    public static String jcmd(long pid, String... command) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid)));
        cmd.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            // jcmd prints its answer and exits: reading to the end cannot outlive it
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(JCMD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("jcmd " + List.of(command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int count(Matcher m) {
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
