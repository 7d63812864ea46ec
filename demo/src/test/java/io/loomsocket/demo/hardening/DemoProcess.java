package io.loomsocket.demo.hardening;

import io.loomsocket.demo.DemoApp;
import io.loomsocket.testing.ChildProcess;
import io.loomsocket.testing.JvmProbe;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The demo ({@link DemoApp#main}) in its own JVM on this test's class path and a free port, with
 * settings from environment variables, plus probes of that process ({@link JvmProbe}): file
 * descriptors, threads platform and virtual, live heap. Its output is read on platform threads
 * ({@link ChildProcess}); PipeReadersTest checks that this JVM's virtual threads keep running
 * meanwhile.
 */
final class DemoProcess implements AutoCloseable {
    private static final Pattern RUNNING = Pattern.compile("Open http://[^:]+:(\\d+)/index/");
    /** How long the demo may take to print its URL on a busy box. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    final Process process;
    private final ChildProcess child;
    private final int port;

    private DemoProcess(ChildProcess child, int port) {
        this.child = child;
        this.process = child.process();
        this.port = port;
    }

    static DemoProcess start(Map<String, String> env, String... jvmFlags) throws IOException {
        List<String> flags = new ArrayList<>(List.of("-XX:+UseSerialGC"));
        flags.addAll(List.of(jvmFlags));
        ProcessBuilder pb = ChildProcess.java(DemoApp.class.getName(), flags, "--port", "0");
        pb.environment().keySet().removeIf(k -> k.startsWith("HTTP_") || k.startsWith("WEBSOCKET_") || k.startsWith("SHUTDOWN_")
                || k.equals("PORT") || k.equals("HOST") || k.startsWith("TLS_") || k.equals("CHANNEL_LAYER"));
        pb.environment().putAll(env);
        ChildProcess child = ChildProcess.start("demo", pb);
        try {
            return new DemoProcess(child, Integer.parseInt(child.awaitLine(RUNNING, START_TIMEOUT).group(1)));
        } catch (AssertionError e) {
            child.stop(Duration.ZERO);
            throw new IllegalStateException("the demo did not start: " + child.output(), e);
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** The child's stdout and stderr so far (the last {@link ChildProcess#MAX_LINES} lines). */
    String output() {
        return child.output();
    }

    int fds() {
        return JvmProbe.fds(pid());
    }

    /** Platform and virtual threads, counted in a JSON thread dump. */
    int threads() {
        return JvmProbe.threads(pid());
    }

    /** Bytes of live objects after a full GC (the class histogram's total). */
    long liveHeap() {
        return JvmProbe.liveHeap(pid());
    }

    /** Live bytes per class after a full GC ({@code jcmd GC.class_histogram}). */
    Map<String, Long> histogram() {
        return JvmProbe.histogram(pid());
    }

    /** The classes that grew most between two histograms, for a failure message. */
    static String growth(Map<String, Long> before, Map<String, Long> after) {
        return JvmProbe.growth(before, after);
    }

    String jcmd(String... command) {
        return JvmProbe.jcmd(pid(), command);
    }

    /** SIGTERM, then SIGKILL after 20 s. */
    @Override
    public void close() {
        child.stop(Duration.ofSeconds(20));
    }
}
