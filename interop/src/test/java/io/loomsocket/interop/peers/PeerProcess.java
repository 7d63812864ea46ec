package io.loomsocket.interop.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real peer in another process (a Python or Node script), started by a test and always
 * stopped by it. Output lines are collected by a virtual thread; every wait has a time limit, and
 * a missing interpreter or library fails the test with a message that says how to install it.
 */
public final class PeerProcess implements AutoCloseable {

    /** Debian's Python, which has python3-websockets; never a pyenv one (DEVELOPERS.md). */
    public static final Path PYTHON = Path.of("/usr/bin/python3");
    /** Most lines kept from a peer's output, so that a chatty peer cannot exhaust memory. */
    public static final int MAX_LINES = 10_000;

    private final String name;
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>(MAX_LINES);
    private final List<String> transcript = new ArrayList<>();
    private volatile boolean outputEnded;

    private PeerProcess(String name, List<String> command, Path nodePath) throws IOException {
        this.name = name;
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (nodePath != null) pb.environment().put("NODE_PATH", nodePath.toString());
        pb.environment().put("PYTHONUNBUFFERED", "1");
        pb.environment().remove("PYTHONPATH");
        process = pb.start();
        Thread.ofVirtual().name("peer-" + name).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) lines.offer(line);
            } catch (IOException ignored) {
                // the process ended
            } finally {
                outputEnded = true;
            }
        });
    }

    /** Runs a script from src/test/resources/peers with Debian's python3. */
    public static PeerProcess python(String script, String... args) throws IOException {
        requirePython();
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), "-u", script(script).toString()));
        cmd.addAll(List.of(args));
        return new PeerProcess(script, cmd, null);
    }

    /** Runs a script from src/test/resources/peers with node, NODE_PATH set to build/node_modules. */
    public static PeerProcess node(String script, String... args) throws IOException {
        Path modules = requireNodeWs();
        List<String> cmd = new ArrayList<>(List.of("node", script(script).toString()));
        cmd.addAll(List.of(args));
        return new PeerProcess(script, cmd, modules);
    }

    public static void requirePython() throws IOException {
        if (!Files.isExecutable(PYTHON)) {
            throw new IllegalStateException(PYTHON + " is missing: run scripts/install-peers.sh (apt-get install -y python3-websockets)");
        }
        String out = run(List.of(PYTHON.toString(), "-c", "import websockets; print(websockets.__version__)"), Duration.ofSeconds(20));
        if (!out.matches("(?s)\\d+\\..*")) {
            throw new IllegalStateException("python3-websockets is missing (" + out.strip() + "): run scripts/install-peers.sh");
        }
    }

    /** The folder that holds node_modules/ws (the repository's build/node_modules), checked to exist. */
    public static Path requireNodeWs() throws IOException {
        Path root = repoRoot();
        Path modules = root.resolve("build/node_modules");
        if (!Files.exists(modules.resolve("ws/package.json"))) {
            throw new IllegalStateException("Node's ws is missing in " + modules + ": run scripts/install-peers.sh");
        }
        String v = run(List.of("node", "--version"), Duration.ofSeconds(20));
        if (!v.startsWith("v")) throw new IllegalStateException("node is missing (" + v.strip() + "): install Node.js 18+");
        return modules;
    }

    /** The repository root: the parent of the interop module (surefire runs in the module folder). */
    public static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("scripts/install-peers.sh"))) return p;
        }
        throw new IllegalStateException("cannot find the repository root above " + dir);
    }

    static Path script(String name) {
        URL url = PeerProcess.class.getResource("/peers/" + name);
        if (url == null) throw new IllegalStateException("peer script not on the test class path: peers/" + name);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a short command to completion (with a time limit) and returns its output. */
    public static String run(List<String> command, Duration timeout) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return "cannot run " + command.getFirst() + ": " + e.getMessage();
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return "timed out: " + command;
            }
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The next output line, or an AssertionError carrying the transcript after {@code timeout}. */
    public String nextLine(Duration timeout) {
        try {
            String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new AssertionError(name + ": no output within " + timeout + (process.isAlive() ? "" : " (exited "
                    + process.exitValue() + ")") + "; so far:\n" + String.join("\n", transcript));
            }
            transcript.add(line);
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Waits for "LISTENING <port>" and returns the port. */
    public int awaitListening(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = nextLine(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (line.startsWith("LISTENING ")) return Integer.parseInt(line.substring(10).trim());
        }
    }

    /** Waits for the process to exit and returns every output line. */
    public PeerResult awaitResult(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
            // drain what the reader thread has left
            while (System.nanoTime() < deadline || !lines.isEmpty()) {
                String line = lines.poll(50, TimeUnit.MILLISECONDS);
                if (line == null) {
                    if (outputEnded) break;
                    continue;
                }
                transcript.add(line);
                if (line.startsWith("RESULT ")) break;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int exit = process.isAlive() ? -1 : process.exitValue();
        return new PeerResult(name, exit, List.copyOf(transcript));
    }

    public Process process() { return process; }

    @Override public void close() {
        try {
            process.getOutputStream().close(); // our servers exit when stdin closes
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(2, TimeUnit.SECONDS)) process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
