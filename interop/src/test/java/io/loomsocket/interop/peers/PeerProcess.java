package io.loomsocket.interop.peers;

import io.loomsocket.testing.ChildProcess;
import io.loomsocket.testing.Python;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real peer in another process (a Python or Node script), started by a test and always
 * stopped by it: a {@link ChildProcess}, whose output lines are read as they come; every wait has
 * a time limit, and a missing interpreter or library fails the test with a message that says how
 * to install it.
 */
public final class PeerProcess implements AutoCloseable {

    /** Debian's Python, which has python3-websockets; never a pyenv one (DEVELOPERS.md). */
    public static final Path PYTHON = Python.PYTHON;

    private final String name;
    private final ChildProcess child;
    private final List<String> transcript = new ArrayList<>();

    private PeerProcess(String name, ProcessBuilder command) throws IOException {
        this.name = name;
        this.child = ChildProcess.start("peer-" + name, command.redirectErrorStream(true));
    }

    /** Runs a script from src/test/resources/peers with Debian's python3. */
    public static PeerProcess python(String script, String... args) throws IOException {
        requirePython();
        return new PeerProcess(script, Python.command(script(script), args));
    }

    /** Runs a script from src/test/resources/peers with node, NODE_PATH set to build/node_modules. */
    public static PeerProcess node(String script, String... args) throws IOException {
        Path modules = requireNodeWs();
        List<String> cmd = new ArrayList<>(List.of("node", script(script).toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("NODE_PATH", modules.toString());
        return new PeerProcess(script, pb);
    }

    public static void requirePython() throws IOException {
        Python.requireWebsockets();
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
        return ChildProcess.run(command, timeout);
    }

    /** The next output line, or an AssertionError carrying the output so far after {@code timeout}. */
    public String nextLine(Duration timeout) {
        String line = child.nextLine(timeout);
        transcript.add(line);
        return line;
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
            if (!child.waitFor(timeout)) child.process().destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // what the reader threads have left
        while (true) {
            String line = child.poll(Duration.ofMillis(50));
            if (line == null) {
                if (child.outputEnded() || System.nanoTime() >= deadline) break;
                continue;
            }
            transcript.add(line);
            if (line.startsWith("RESULT ")) break;
        }
        Process process = child.process();
        int exit = process.isAlive() ? -1 : process.exitValue();
        return new PeerResult(name, exit, List.copyOf(transcript));
    }

    public Process process() { return child.process(); }

    @Override public void close() {
        child.closeInput(); // our servers exit when stdin closes
        try {
            if (!child.waitFor(Duration.ofSeconds(2))) child.stop(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            child.process().destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
