package io.loomsocket.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.testing.IntegrationTest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Figures for the notes, measured over loopback in one JVM (client and server share the 2 cores,
 * so these are lower bounds). Short by default; {@code -Dloomsocket.long=true} runs longer and bigger.
 */
@IntegrationTest
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FiguresTest {
    private static final boolean LONG = Boolean.getBoolean("loomsocket.long");
    private static final WebSocketConfig PLAIN = WebSocketConfig.builder().compression(false).build();

    private static TestServer echoServer() throws Exception {
        return TestServer.start(List.of(), PLAIN, ws -> {
            for (var m : ws) ws.send(m);
        });
    }

    @Test
    void pipelinedEchoThroughput() throws Exception {
        try (TestServer server = echoServer();
             WebSocket ws = WebSocketClient.builder().config(PLAIN).build().connect(URI.create(server.uri("/")))) {
            String payload = "x".repeat(64);
            long millis = LONG ? 10_000 : 1_500;
            Semaphore window = new Semaphore(256); // messages in flight
            long[] received = new long[1];
            Thread receiver = Thread.ofVirtual().start(() -> {
                for (Message m : ws) {
                    received[0]++;
                    window.release();
                }
            });
            long cpu0 = cpuNanos();
            long t0 = System.nanoTime();
            long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(millis);
            long sent = 0;
            while (System.nanoTime() < deadline) {
                window.acquireUninterruptibly();
                ws.send(payload);
                sent++;
            }
            window.acquireUninterruptibly(256);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long cpu = cpuNanos() - cpu0;
            ws.close();
            receiver.join();
            assertThat(received[0]).isEqualTo(sent);
            System.out.printf("pipelined echo, 64-byte text, window 256: %.0f msg/s (%d in %.1f s); "
                            + "%.1f µs of process CPU per echoed message (client + server)%n",
                    sent / seconds, sent, seconds, cpu / 1e3 / sent);
            assertThat(sent / seconds).isGreaterThan(1000);
        }
    }

    @Test
    void requestResponseRoundTrip() throws Exception {
        try (TestServer server = echoServer();
             WebSocket ws = WebSocketClient.builder().config(PLAIN).build().connect(URI.create(server.uri("/")))) {
            int n = LONG ? 100_000 : 5_000;
            for (int i = 0; i < 500; i++) { // warm up
                ws.send("warm");
                ws.receive();
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                ws.send("ping " + i);
                assertThat(ws.receive().orElseThrow().text()).isEqualTo("ping " + i);
            }
            double micros = (System.nanoTime() - t0) / 1e3 / n;
            System.out.printf("request/response echo: %.1f µs per round trip (%d round trips)%n", micros, n);
            Duration rtt = ws.ping();
            System.out.printf("ping() RTT: %d µs%n", rtt.toNanos() / 1000);
        }
    }

    @Test
    void memoryPerIdleConnection() throws Exception {
        idleConnections(PLAIN, "compression off");
    }

    @Test
    void memoryPerIdleConnectionWithCompression() throws Exception {
        // permessage-deflate negotiated, each side sends one compressed message, then idles
        idleConnections(WebSocketConfig.builder().compressionThreshold(0).build(), "compression on, after one message");
    }

    private static void idleConnections(WebSocketConfig config, String label) throws Exception {
        int n = LONG ? 5_000 : 1_000;
        try (TestServer server = TestServer.start(List.of(), config, ws -> {
                 ws.receive().ifPresent(ws::send);
                 ws.receive();
             })) {
            WebSocketClient client = WebSocketClient.builder().config(config).build();
            List<WebSocket> clients = new ArrayList<>(n);
            // warm up classes and pools with a few connections first
            for (int i = 0; i < 20; i++) {
                WebSocket ws = client.connect(URI.create(server.uri("/")));
                ws.send("hello hello hello hello");
                ws.receive();
                clients.add(ws);
            }
            settle();
            long heap0 = usedHeap();
            long rss0 = rss();
            for (int i = 0; i < n; i++) {
                WebSocket ws = client.connect(URI.create(server.uri("/")));
                ws.send("hello hello hello hello");
                assertThat(ws.receive()).isPresent();
                clients.add(ws);
            }
            while (server.sockets.size() < n + 20) Thread.sleep(10);
            settle();
            long heap1 = usedHeap();
            long rss1 = rss();
            // each connection here is two WebSockets (client and server side) in this JVM
            System.out.printf("idle connections (%s): %d pairs; heap %.1f KB and RSS %.1f KB per WebSocket (incl. "
                            + "its socket, reader virtual thread and, on the server side, the handler thread)%n",
                    label, n, (heap1 - heap0) / 2.0 / n / 1024, (rss1 - rss0) / 2.0 / n / 1024);
            assertThat((heap1 - heap0) / 2.0 / n).isLessThan(32 * 1024);
            for (WebSocket ws : clients) ws.abort();
        }
    }

    private static void settle() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    /** User + system CPU time of this process (from /proc, in clock ticks of 10 ms). */
    private static long cpuNanos() throws Exception {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    }

    private static long rss() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
        return 0;
    }
}
