package io.loomsocket.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's Python with python3-websockets, for peers written in Python: never a pyenv one, which
 * lacks the library (DEVELOPERS.md), and never the caller's PYTHONPATH.
 */
public final class Python {
    public static final Path PYTHON = Path.of("/usr/bin/python3");

    private Python() {}

    /** True if {@link #PYTHON} runs and imports websockets. */
    public static boolean hasWebsockets() throws IOException {
        return Files.isExecutable(PYTHON) && websocketsVersion().matches("(?s)\\d+\\..*");
    }

    /** Fails with how to install when Python or its websockets library is missing. */
    public static void requireWebsockets() throws IOException {
        if (!Files.isExecutable(PYTHON)) {
            throw new IllegalStateException(PYTHON + " is missing: run scripts/install-peers.sh (apt-get install -y python3-websockets)");
        }
        String out = websocketsVersion();
        if (!out.matches("(?s)\\d+\\..*")) {
            throw new IllegalStateException("python3-websockets is missing (" + out.strip() + "): run scripts/install-peers.sh");
        }
    }

    private static String websocketsVersion() throws IOException {
        return ChildProcess.run(List.of(PYTHON.toString(), "-c", "import websockets; print(websockets.__version__)"), Duration.ofSeconds(20));
    }

    /** A command running {@code script} unbuffered ({@code python3 -u}), its output unbuffered too. */
    public static ProcessBuilder command(Path script, String... args) {
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), "-u", script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PYTHONUNBUFFERED", "1");
        pb.environment().remove("PYTHONPATH");
        return pb;
    }
}
