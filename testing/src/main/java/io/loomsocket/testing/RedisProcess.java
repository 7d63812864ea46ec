package io.loomsocket.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real {@code redis-server} for tests: 127.0.0.1, a free port, no persistence. It can be killed
 * (SIGKILL, like a crash) and started again on the same port.
 */
public final class RedisProcess implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/bin/redis-server");
    private final int port;
    private final String[] extraArgs;
    private Process process;

    private RedisProcess(int port, String... extraArgs) {
        this.port = port;
        this.extraArgs = extraArgs;
    }

    public static RedisProcess start() throws IOException, InterruptedException { return start(new String[0]); }

    /** Starts one with more redis-server arguments, e.g. {@code --replicaof 127.0.0.1 6379}. */
    public static RedisProcess start(String... extraArgs) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY))
            throw new IllegalStateException(BINARY + " is missing: run scripts/install-peers.sh (apt-get install redis-server)");
        var r = new RedisProcess(Ports.free(), extraArgs);
        r.restart();
        return r;
    }

    public int port() { return port; }

    public String uri() { return "redis://127.0.0.1:" + port + "/0"; }

    /** Starts redis-server (again) on this port and waits until it answers PING. */
    public void restart() throws IOException, InterruptedException {
        var command = new java.util.ArrayList<>(java.util.List.of(BINARY.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--loglevel", "warning"));
        command.addAll(java.util.List.of(extraArgs));
        process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("redis-server exited with " + process.exitValue() + " on port " + port);
            if (ping()) return;
            Thread.sleep(20);
        }
        throw new IllegalStateException("redis-server did not answer on port " + port);
    }

    /** SIGKILL: the server vanishes without closing anything politely. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    private boolean ping() {
        try (var s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(500);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] b = new byte[7];
            int n = in.readNBytes(b, 0, 7);
            return new String(b, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (process == null) return;
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
