package io.loomsocket.hardening;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resource probes for leak checks of a JVM (this one by default): open file descriptors
 * (/proc/PID/fd), live threads including virtual ones (a JSON thread dump written by
 * {@code jcmd PID Thread.dump_to_file}: ThreadMXBean does not see virtual threads), and heap in
 * use after GC. (The server module's tests compile inside its JPMS module, which does not read
 * java.management; jcmd needs nothing.)
 */
final class Probe {
    private static final Pattern TID = Pattern.compile("\"tid\"\\s*:");
    private static final Pattern NAME = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]*)\"");

    private Probe() {}

    static long self() {
        return ProcessHandle.current().pid();
    }

    static int fds() {
        return fds(self());
    }

    static int fds(long pid) {
        try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return (int) s.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every thread of the JVM, platform and virtual, counted in a JSON thread dump. */
    static int threads() {
        return threads(self());
    }

    static int threads(long pid) {
        return count(TID, dump(pid));
    }

    /** Threads of this JVM whose name starts with {@code prefix} (e.g. "loomsocket-conn"). */
    static int threadsNamed(String prefix) {
        Matcher m = NAME.matcher(dump(self()));
        int n = 0;
        while (m.find()) if (m.group(1).startsWith(prefix)) n++;
        return n;
    }

    /** {@code jcmd PID Thread.dump_to_file -format=json FILE}, read back. */
    static String dump(long pid) {
        try {
            Path dir = Files.createTempDirectory("threads");
            Path file = dir.resolve("dump.json");
            jcmd(pid, "Thread.dump_to_file", "-format=json", file.toString());
            String s = Files.readString(file);
            Files.delete(file);
            Files.delete(dir);
            return s;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs jcmd against {@code pid}; returns its output. */
    static String jcmd(long pid, String... command) {
        try {
            var cmd = new java.util.ArrayList<String>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
            cmd.add(Long.toString(pid));
            cmd.addAll(java.util.List.of(command));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("jcmd failed: " + out);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int count(Pattern p, String s) {
        Matcher m = p.matcher(s);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    /** Heap bytes of this JVM in use after a few full GCs. */
    static long heapAfterGc() {
        long used = Long.MAX_VALUE;
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            sleep(50);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    /** Sets a java.util.logging level by reflection (null: inherit); returns the logger, to be held. */
    static Object logLevel(String logger, String level) {
        try {
            Class<?> loggerClass = Class.forName("java.util.logging.Logger");
            Class<?> levelClass = Class.forName("java.util.logging.Level");
            Object l = loggerClass.getMethod("getLogger", String.class).invoke(null, logger);
            Object lv = level == null ? null : levelClass.getMethod("parse", String.class).invoke(null, level);
            loggerClass.getMethod("setLevel", levelClass).invoke(l, lv);
            return l;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Polls {@code condition} every 10 ms until it holds or {@code timeout} passes; returns its last value. */
    static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) return condition.getAsBoolean();
            sleep(10);
        }
        return true;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
