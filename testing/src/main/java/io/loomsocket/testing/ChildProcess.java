package io.loomsocket.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process started by a test and always stopped by it: its stdout and stderr lines are read as
 * they come, kept for failure messages ({@link #output()}) and handed to {@link #nextLine} and
 * {@link #awaitLine} in order. Every wait has a time limit.
 */
public final class ChildProcess implements AutoCloseable {
    /** Most lines kept (and most lines waiting to be read), so that a chatty child cannot exhaust memory. */
    public static final int MAX_LINES = 10_000;
    /** How long {@link #close()} waits after SIGTERM before it kills. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final String name;
    private final Process process;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<String> output = new ArrayDeque<>();
    private final BlockingQueue<String> unread = new LinkedBlockingQueue<>(MAX_LINES);
    private final CountDownLatch readers = new CountDownLatch(2);

    private ChildProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        // Platform threads, not virtual ones: a read from a process pipe blocks its carrier (the JDK
        // does not unmount a virtual thread from a pipe read), and two readers blocked on a 2-core
        // box can leave no carrier at all for every other virtual thread of the test's JVM.
        Thread.ofPlatform().daemon().name(name + "-stdout").start(() -> read(process.getInputStream()));
        Thread.ofPlatform().daemon().name(name + "-stderr").start(() -> read(process.getErrorStream()));
    }

    /** Starts {@code command}; {@code name} labels its threads and failure messages. */
    public static ChildProcess start(String name, ProcessBuilder command) throws IOException {
        return new ChildProcess(name, command.start());
    }

    /**
     * A command running {@code mainClass} in a new JVM (this JVM's java) on this test's class path:
     * {@code java <jvmFlags> -cp <class path> <mainClass> <args>}.
     */
    public static ProcessBuilder java(String mainClass, List<String> jvmFlags, String... args) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    /**
     * Runs a short command to completion and returns its output (stdout and stderr); a command that
     * cannot start or outlives {@code timeout} returns a line that says so instead.
     */
    public static String run(List<String> command, Duration timeout) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return "cannot run " + command.getFirst() + ": " + e.getMessage();
        }
        try {
            // the output goes to a reader thread, so a child that fills the pipe cannot block
            var out = new CompletableFuture<String>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    out.complete(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    out.complete("");
                }
            });
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return "timed out after " + timeout + ": " + command;
            }
            return out.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            return "no output from " + command + ": " + e;
        }
    }

    private void read(InputStream in) {
        try (var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lock.lock();
                try {
                    output.addLast(line);
                    while (output.size() > MAX_LINES) output.removeFirst();
                } finally {
                    lock.unlock();
                }
                unread.offer(line); // dropped when nobody reads them: output() still has the latest
            }
        } catch (IOException ignored) {
            // the process ended
        } finally {
            readers.countDown();
        }
    }

    /** The last {@link #MAX_LINES} lines of stdout and stderr, one a line. */
    public String output() {
        lock.lock();
        try {
            return String.join("\n", output);
        } finally {
            lock.unlock();
        }
    }

    /** The next unread line, or null when the output has ended or {@code timeout} passed first. */
    public String poll(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                String line = unread.poll(Math.min(50, Math.max(0, (deadline - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS);
                if (line != null) return line;
                if (readers.getCount() == 0 && unread.isEmpty()) return null;
                if (System.nanoTime() >= deadline) return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The next unread line; an AssertionError with the output so far when none comes within {@code timeout}. */
    public String nextLine(Duration timeout) {
        String line = poll(timeout);
        if (line == null) throw new AssertionError(name + ": no more output within " + timeout + describeExit() + "; so far:\n" + output());
        return line;
    }

    /** Reads lines until one matches {@code pattern} (found anywhere in it), within {@code timeout}. */
    public Matcher awaitLine(Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = nextLine(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            Matcher m = pattern.matcher(line);
            if (m.find()) return m;
        }
    }

    /** True once the child has ended and both of its streams are read to the end. */
    public boolean outputEnded() {
        return readers.getCount() == 0;
    }

    private String describeExit() {
        return process.isAlive() ? "" : " (exited " + process.exitValue() + ")";
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public String name() {
        return name;
    }

    /** Closes the child's stdin (peers that serve until their input ends then exit). */
    public void closeInput() {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    /** Waits up to {@code timeout} for the child to exit; true if it did. */
    public boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** SIGTERM, then SIGKILL if the child is still there after {@code grace}; waits for it to end. */
    public void stop(Duration grace) {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL, like a crash: nothing is closed politely. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** {@link #stop} with {@link #STOP_GRACE}. */
    @Override
    public void close() {
        stop(STOP_GRACE);
    }
}
