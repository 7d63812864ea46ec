package io.loomsocket.demo.hardening;

import io.loomsocket.demo.DemoApp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo ({@link DemoApp#main}) in its own JVM on this test's class path and a free port, with
 * settings from environment variables, plus probes of that process: file descriptors
 * (/proc/PID/fd), threads platform and virtual ({@code jcmd Thread.dump_to_file}), live heap
 * ({@code jcmd GC.class_histogram}, which runs a full GC first).
 */
final class DemoProcess implements AutoCloseable {
    private static final Pattern RUNNING = Pattern.compile("Open http://[^:]+:(\\d+)/index/");

    final Process process;
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<String> output = new ArrayDeque<>();

    private DemoProcess(Process process) {
        this.process = process;
        // Platform threads, not virtual ones: a read from a process pipe blocks its carrier (the JDK
        // does not unmount a virtual thread from a pipe read), and with two readers blocked on a
        // 2-core box the scheduler can end up with no carrier at all for every other virtual
        // thread of this JVM — the soak's 10,000 client connections then stop answering the
        // server's pings (bugs.md B4). PipeReadersTest checks it.
        Thread.ofPlatform().daemon().name("demo-stdout").start(() -> readLines(process.getInputStream(), line -> {
            add(line);
            Matcher m = RUNNING.matcher(line);
            if (m.find()) port.complete(Integer.parseInt(m.group(1)));
        }));
        Thread.ofPlatform().daemon().name("demo-stderr").start(() -> readLines(process.getErrorStream(), this::add));
    }

    static DemoProcess start(Map<String, String> env, String... jvmFlags) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseSerialGC"));
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DemoApp.class.getName(), "--port", "0"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("HTTP_") || k.startsWith("WEBSOCKET_") || k.startsWith("SHUTDOWN_")
                || k.equals("PORT") || k.equals("HOST") || k.startsWith("TLS_") || k.equals("CHANNEL_LAYER"));
        pb.environment().putAll(env);
        DemoProcess p = new DemoProcess(pb.start());
        try {
            p.port.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.process.destroyForcibly();
            throw new IllegalStateException("the demo did not start: " + p.output(), e);
        }
        return p;
    }

    int port() {
        return port.join();
    }

    long pid() {
        return process.pid();
    }

    private static void readLines(InputStream in, Consumer<String> sink) {
        try (var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) sink.accept(line);
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private void add(String line) {
        lock.lock();
        try {
            output.addLast(line);
            while (output.size() > 500) output.removeFirst();
        } finally {
            lock.unlock();
        }
    }

    /** The child's stdout and stderr so far (last 500 lines). */
    String output() {
        lock.lock();
        try {
            return String.join("\n", output);
        } finally {
            lock.unlock();
        }
    }

    int fds() throws IOException {
        try (var s = Files.list(Path.of("/proc/" + pid() + "/fd"))) {
            return (int) s.count();
        }
    }

    /** Platform and virtual threads, counted in a JSON thread dump. */
    int threads() throws IOException {
        Path dir = Files.createTempDirectory("dump");
        Path file = dir.resolve("threads.json");
        jcmd("Thread.dump_to_file", "-format=json", file.toString());
        String json = Files.readString(file);
        Files.delete(file);
        Files.delete(dir);
        Matcher m = Pattern.compile("\"tid\"\\s*:").matcher(json);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    /** Bytes of live objects after a full GC (the class histogram's total). */
    long liveHeap() throws IOException {
        String out = jcmd("GC.class_histogram");
        Matcher m = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)").matcher(out);
        if (!m.find()) throw new IllegalStateException("no total in the class histogram: " + out.lines().limit(5).toList());
        return Long.parseLong(m.group(1));
    }

    /** Live bytes per class after a full GC ({@code jcmd GC.class_histogram}). */
    Map<String, Long> histogram() throws IOException {
        Map<String, Long> h = new java.util.HashMap<>();
        Matcher m = Pattern.compile("(?m)^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)").matcher(jcmd("GC.class_histogram"));
        while (m.find()) h.merge(m.group(2), Long.parseLong(m.group(1)), Long::sum);
        return h;
    }

    /** The classes that grew most between two histograms, for a failure message. */
    static String growth(Map<String, Long> before, Map<String, Long> after) {
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(15)
                .map(e -> e.getKey() + " +" + e.getValue() / 1024 + " KB").reduce((a, b) -> a + "\n" + b).orElse("");
    }

    String jcmd(String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid())));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("jcmd " + List.of(command) + " failed: " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
