package io.loomsocket.demo.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.JvmProbe;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Soak: N concurrent WebSockets to the demo's /echo (the server in its own JVM, so client and
 * server sockets do not share one process's 20,000 descriptors), each sending sequence-numbered
 * messages; every message must come back exactly once and in order. Afterwards the server's
 * descriptors, threads (virtual included) and live heap must be back to their baseline.
 * Between connecting and sending the connections sit idle while the server pings them; none may
 * close on its own ({@link CloseWatch} reports code, reason and time of any that do).
 * 1,000 connections × 20 messages normally; 10,000 × 30 with {@code -Dloomsocket.long=true}
 * ({@code -Dloomsocket.soak.connections=N}, {@code -Dloomsocket.soak.messages=N},
 * {@code -Dloomsocket.soak.ping_interval=5s}: the server's keepalive, 0 for none;
 * {@code -Dloomsocket.soak.idle=6s}; diagnostics: {@code -Dloomsocket.soak.server_jvm_args="-Dx=y ..."},
 * {@code -Dloomsocket.soak.dump_dir=DIR} for thread dumps of both JVMs at the first unexpected close).
 */
@IntegrationTest
class SoakTest {
    private static final boolean LONG = Boolean.getBoolean("loomsocket.long");
    private static final int CONNECTIONS = Integer.getInteger("loomsocket.soak.connections", LONG ? 10_000 : 1_000);
    private static final int MESSAGES = Integer.getInteger("loomsocket.soak.messages", LONG ? 30 : 20);
    /**
     * Pause between connecting and sending, when only the server's keepalive talks (longer than its
     * 5 s ping interval, so every connection answers pings while idle; bugs.md B4).
     */
    private static final Duration IDLE = Duration.parse("PT" + System.getProperty("loomsocket.soak.idle", LONG ? "40s" : "6s"));

    /** With {@code -Dloomsocket.soak.dump_dir=DIR}: JSON thread dumps of both JVMs when the first connection closes. */
    private static void dumpThreads(DemoProcess demo) {
        String dir = System.getProperty("loomsocket.soak.dump_dir");
        if (dir == null) return;
        try {
            String stamp = Long.toString(System.currentTimeMillis());
            demo.jcmd("Thread.dump_to_file", "-format=json", dir + "/server-" + stamp + ".json");
            JvmProbe.jcmd(JvmProbe.self(), "Thread.dump_to_file", "-format=json", dir + "/client-" + stamp + ".json");
        } catch (RuntimeException e) {
            System.out.println("thread dump failed: " + e);
        }
    }

    @Test
    void everyMessageEchoedExactlyOnceInOrderAndTheServerReturnsToBaseline() throws Exception {
        Map<String, String> env = Map.of("HTTP_MAX_CONNECTIONS", Integer.toString(CONNECTIONS + 100),
                "WEBSOCKET_PING_INTERVAL", System.getProperty("loomsocket.soak.ping_interval", "5s"));
        List<String> jvm = new ArrayList<>(List.of("-Xmx768m"));
        String extra = System.getProperty("loomsocket.soak.server_jvm_args", "").trim();
        if (!extra.isEmpty()) jvm.addAll(List.of(extra.split("\\s+")));
        try (DemoProcess demo = DemoProcess.start(env, jvm.toArray(String[]::new))) {
            URI echo = URI.create("ws://127.0.0.1:" + demo.port() + "/echo");
            WebSocketClient client = WebSocketClient.builder().compression(false)
                    .connectTimeout(Duration.ofSeconds(30)).handshakeTimeout(Duration.ofSeconds(30))
                    .config(WebSocketConfig.builder().pingInterval(Duration.ZERO).readBufferSize(4096).writeBufferSize(4096).build())
                    .build();
            // warm-up, then the baseline
            for (int i = 0; i < 20; i++) {
                WebSocket ws = client.connect(echo);
                ws.send("warm");
                ws.receive(Duration.ofSeconds(10));
                ws.close();
            }
            Thread.sleep(500);
            int fds0 = demo.fds();
            int threads0 = demo.threads();
            long heap0 = demo.liveHeap();
            Map<String, Long> histogram0 = demo.histogram();

            long t0 = System.nanoTime();
            List<WebSocket> sockets = new ArrayList<>(CONNECTIONS);
            Semaphore connecting = new Semaphore(64); // the accept backlog is 1,024; do not flood it
            ConcurrentLinkedQueue<WebSocket> opened = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
            CountDownLatch connected = new CountDownLatch(CONNECTIONS);
            CloseWatch watch = CloseWatch.start(opened, t0, () -> dumpThreads(demo));
            for (int i = 0; i < CONNECTIONS; i++) {
                connecting.acquire();
                Thread.ofVirtual().start(() -> {
                    long c0 = System.nanoTime();
                    try {
                        WebSocket ws = client.connect(echo);
                        watch.connected(ws, System.nanoTime() - c0);
                        opened.add(ws);
                    } catch (RuntimeException e) {
                        errors.add("connect: " + e);
                    } finally {
                        connecting.release();
                        connected.countDown();
                    }
                });
            }
            assertThat(connected.await(10, TimeUnit.MINUTES)).isTrue();
            assertThat(errors).isEmpty();
            sockets.addAll(opened);
            long connectMillis = (System.nanoTime() - t0) / 1_000_000;
            if (IDLE.toMillis() > 0) Thread.sleep(IDLE.toMillis()); // idle connections: only the keepalive talks
            assertThat(watch.report()).as("connections closed before they sent anything").isEmpty();
            int fdsPeak = demo.fds();

            // every connection: a sender and a checker, messages "c:n" with n = 0..MESSAGES-1
            AtomicLong echoed = new AtomicLong();
            CountDownLatch done = new CountDownLatch(CONNECTIONS * 2);
            long t1 = System.nanoTime();
            for (int c = 0; c < sockets.size(); c++) {
                WebSocket ws = sockets.get(c);
                String id = c + ":";
                Thread.ofVirtual().start(() -> {
                    try {
                        for (int n = 0; n < MESSAGES; n++) {
                            ws.send(id + n);
                            Thread.sleep(5);
                        }
                    } catch (RuntimeException | InterruptedException e) {
                        errors.add(id + " send: " + e);
                    } finally {
                        done.countDown();
                    }
                });
                Thread.ofVirtual().start(() -> {
                    try {
                        for (int n = 0; n < MESSAGES; n++) {
                            Optional<Message> m = ws.receive(Duration.ofSeconds(120));
                            if (m.isEmpty() || !m.get().text().equals(id + n)) {
                                errors.add(id + " expected " + id + n + " got " + m.map(Message::text).orElse("end"));
                                return;
                            }
                            echoed.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        errors.add(id + " receive: " + e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            assertThat(done.await(15, TimeUnit.MINUTES)).isTrue();
            watch.stop();
            long exchangeMillis = (System.nanoTime() - t1) / 1_000_000;
            // the long run skips the peak thread dump: JDK 25.0.3 once crashed (SIGSEGV in
            // GetThreadSnapshotClosure) dumping 20,000 threads on a loaded box (bugs.md B4)
            int threadsPeak = LONG ? -1 : demo.threads();
            long heapPeak = demo.liveHeap();
            assertThat(errors).as("%d errors, first: %s; closes seen: %s; server output:%n%s", errors.size(),
                    errors.stream().limit(5).toList(), watch.report(),
                    errors.isEmpty() ? "" : demo.output()).isEmpty();
            assertThat(echoed.get()).isEqualTo((long) CONNECTIONS * MESSAGES);

            // nothing more than what was sent arrives: the close comes next on each connection
            CountDownLatch closed = new CountDownLatch(sockets.size());
            for (WebSocket ws : sockets) {
                Thread.ofVirtual().start(() -> {
                    try {
                        ws.close();
                        if (ws.receive(Duration.ofSeconds(5)).isPresent()) errors.add("a message after the last echo");
                    } catch (RuntimeException e) {
                        errors.add("close: " + e);
                    } finally {
                        closed.countDown();
                    }
                });
            }
            assertThat(closed.await(5, TimeUnit.MINUTES)).isTrue();
            assertThat(errors).isEmpty();

            // back to baseline (sockets close at once; give ended virtual threads and timers a moment)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (demo.fds() > fds0 + 2 && System.nanoTime() < deadline) Thread.sleep(100);
            Thread.sleep(500);
            int fds1 = demo.fds();
            int threads1 = demo.threads();
            long heap1 = demo.liveHeap();
            System.out.printf("soak: %d connections (connected in %d ms; %s), %d messages echoed in order in %d ms; server fds %d -> %d"
                            + " (peak %d), threads %d -> %d (peak %d), live heap %d KB -> %d KB (peak %d KB)%n",
                    CONNECTIONS, connectMillis, watch.connectTimes(), echoed.get(), exchangeMillis, fds0, fds1, fdsPeak, threads0, threads1, threadsPeak,
                    heap0 / 1024, heap1 / 1024, heapPeak / 1024);
            assertThat(fdsPeak).isGreaterThanOrEqualTo(fds0 + CONNECTIONS);
            assertThat(fds1).as("server file descriptors").isLessThanOrEqualTo(fds0 + 2);
            assertThat(threads1).as("server threads").isLessThanOrEqualTo(threads0 + 2);
            assertThat(heap1 - heap0).as("server live heap growth; grew most:\n%s",
                    heap1 - heap0 < 8L * 1024 * 1024 ? "" : DemoProcess.growth(histogram0, demo.histogram())).isLessThan(8L * 1024 * 1024);
        }
    }
}
