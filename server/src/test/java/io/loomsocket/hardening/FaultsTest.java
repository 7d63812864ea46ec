package io.loomsocket.hardening;

import static io.loomsocket.web.Views.path;
import static io.loomsocket.web.Views.requireWebSocket;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.engine.OpCode;
import io.loomsocket.server.HttpServer;
import io.loomsocket.server.RawHttp;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.raw.RawClient;
import io.loomsocket.testing.raw.RawFrame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults: clients that reset mid-handshake or mid-frame, go silent, views that throw or never
 * return. Other connections are unaffected, and many connect/disconnect cycles leak no threads
 * (virtual ones counted in a thread dump), file descriptors or heap. {@code -Dloomsocket.long=true}
 * runs 100,000 cycles instead of 5,000.
 */
@IntegrationTest
class FaultsTest {
    private static final boolean LONG = Boolean.getBoolean("loomsocket.long");
    private static final Duration WAIT = Duration.ofSeconds(5);
    /** Held so that the level set in the cycle test sticks (JUL keeps loggers weakly). */
    private Object quietLog;

    private HttpServer server;
    private final CountDownLatch releaseForever = new CountDownLatch(1);
    private final AtomicInteger foreverRunning = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = Apps.start(Map.of("http.header_read_timeout", "1s", "websocket.close_timeout", "1s"),
                Apps.echoUrl(),
                path("^boom$", requireWebSocket(r -> {
                    r.websocket().receive();
                    throw new IllegalStateException("view failed on purpose");
                })),
                path("^quiet$", requireWebSocket(r -> null)), // returns at once: close 1000
                path("^forever$", requireWebSocket(r -> {
                    foreverRunning.incrementAndGet();
                    try {
                        releaseForever.await(); // ignores its WebSocket and never returns by itself
                    } finally {
                        foreverRunning.decrementAndGet();
                    }
                    return null;
                })));
    }

    @AfterEach
    void stop() {
        releaseForever.countDown();
        if (quietLog != null) Probe.logLevel("io.loomsocket.web", null);
        server.stop(Duration.ofSeconds(2));
    }

    private int port() {
        return server.port();
    }

    private static void assertEchoes(WebSocket ws, String text) {
        ws.send(text);
        assertThat(ws.receive(WAIT)).contains(Message.text(text));
    }

    @Test
    void faultyClientsAndViewsDoNotDisturbOthers() throws Exception {
        WebSocket witness = WebSocketClient.connect("ws://127.0.0.1:" + port() + "/echo");
        assertEchoes(witness, "start");

        // reset in the middle of the handshake request
        try (RawClient c = Apps.raw(port())) {
            c.send("GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nSec-WebSocket-".getBytes(StandardCharsets.ISO_8859_1));
            c.reset();
        }
        assertEchoes(witness, "after reset mid-handshake");

        // reset in the middle of a frame (header says 1000 bytes, 10 sent)
        RawClient midFrame = Apps.raw(port());
        assertThat(midFrame.upgrade("/echo")).isEqualTo(101);
        midFrame.send(new byte[] {(byte) 0x81, (byte) 0xfe, 0x03, (byte) 0xe8, 1, 2, 3, 4, 'a', 'b', 'c', 'd', 'e', 'f'});
        midFrame.reset();
        assertEchoes(witness, "after reset mid-frame");

        // FIN in the middle of a frame (the client's process died cleanly)
        try (RawClient c = Apps.raw(port())) {
            assertThat(c.upgrade("/echo")).isEqualTo(101);
            c.send(new byte[] {(byte) 0x82, (byte) 0x85, 1, 2});
            c.socket().shutdownOutput();
            assertThat(c.closedByServer()).isTrue();
        }

        // silent after the handshake: the half-open case is KeepaliveTest's; here the slot is freed on close
        // a view that throws: its client gets 1011, nobody else notices
        try (RawClient c = Apps.raw(port())) {
            assertThat(c.upgrade("/boom")).isEqualTo(101);
            c.sendText("trigger");
            assertThat(c.readUntilClose()).isEqualTo(1011);
        }
        assertEchoes(witness, "after a view threw");

        // a view that never returns holds its own thread only
        RawClient stuck = Apps.raw(port());
        assertThat(stuck.upgrade("/forever")).isEqualTo(101);
        assertThat(Probe.await(WAIT, () -> foreverRunning.get() == 1)).isTrue();
        stuck.sendText("nobody reads this");
        for (int i = 0; i < 20; i++) assertEchoes(witness, "while a view runs forever " + i);
        stuck.sendFrame(OpCode.CLOSE, new byte[] {0x03, (byte) 0xe8});
        assertThat(stuck.readUntilClose()).as("the reader answers the close even though the view is stuck").isEqualTo(1000);
        assertThat(stuck.closedByServer()).isTrue();
        stuck.close();
        releaseForever.countDown();

        assertEchoes(witness, "end");
        witness.close();
        assertThat(Probe.await(WAIT, () -> server.openConnections() == 0)).as("open connections: " + server.openConnections()).isTrue();
    }

    /** One connect/disconnect cycle of kind {@code i % 6}. */
    private void cycle(int i) throws IOException {
        switch (i % 6) {
            case 0 -> { // a clean WebSocket: echo one message, close handshake
                try (RawClient c = Apps.raw(port())) {
                    if (c.upgrade("/echo") != 101) throw new AssertionError(c.response());
                    c.sendText("m" + i);
                    RawFrame f = c.readFrame();
                    if (f == null || !new String(f.payload(), StandardCharsets.UTF_8).equals("m" + i)) throw new AssertionError("echo " + i);
                    c.sendFrame(OpCode.CLOSE, new byte[] {0x03, (byte) 0xe8});
                    if (c.readUntilClose() != 1000) throw new AssertionError("close " + i);
                }
            }
            case 1 -> { // reset mid-frame
                RawClient c = Apps.raw(port());
                if (c.upgrade("/echo") != 101) throw new AssertionError(c.response());
                c.send(new byte[] {(byte) 0x81, (byte) 0xfe, 0x03, (byte) 0xe8, 1, 2, 3, 4, 'x'});
                c.reset();
            }
            case 2 -> { // reset mid-handshake
                RawClient c = Apps.raw(port());
                c.send("GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgr".getBytes(StandardCharsets.ISO_8859_1));
                c.reset();
            }
            case 3 -> { // plain HTTP, Connection: close
                RawHttp.Response r = RawHttp.exchange(port(), "GET /echo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
                if (r.status() != 200) throw new AssertionError("http " + r.status());
            }
            case 4 -> { // the view throws: close 1011, then the client leaves without answering
                try (RawClient c = Apps.raw(port())) {
                    if (c.upgrade("/boom") != 101) throw new AssertionError(c.response());
                    c.sendText("x");
                    if (c.readUntilClose() != 1011) throw new AssertionError("boom " + i);
                }
            }
            default -> { // the view returns at once; the client vanishes with a FIN before answering the close
                RawClient c = Apps.raw(port());
                if (c.upgrade("/quiet") != 101) throw new AssertionError(c.response());
                c.close();
            }
        }
    }

    private void runCycles(int count, int workers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            futures.add(pool.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < count; ) cycle(i);
                return null;
            }));
        }
        for (Future<?> f : futures) f.get(30, TimeUnit.MINUTES);
        pool.shutdown();
    }

    @Test
    void connectDisconnectCyclesLeakNothing() throws Exception {
        quietLog = Probe.logLevel("io.loomsocket.web", "OFF"); // the throwing view logs a stack trace per cycle otherwise
        int cycles = LONG ? 100_000 : 5_000;
        runCycles(600, 4); // warm up: classes, pools, JIT
        assertThat(Probe.await(WAIT, () -> server.openConnections() == 0)).isTrue();
        Probe.sleep(300);
        int fds0 = Probe.fds();
        int threads0 = Probe.threads();
        long heap0 = Probe.heapAfterGc();

        long t0 = System.nanoTime();
        runCycles(cycles, 8);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(Probe.await(Duration.ofSeconds(10), () -> server.openConnections() == 0))
                .as("open connections after the cycles: " + server.openConnections()).isTrue();
        // closed sockets and ended virtual threads go away at once; let stray timers fire
        Probe.await(Duration.ofSeconds(5), () -> Probe.fds() <= fds0 + 2);
        int fds1 = Probe.fds();
        int threads1 = Probe.threads();
        long heap1 = Probe.heapAfterGc();
        System.out.printf("%d connect/disconnect cycles in %d ms (%d accepted in all): fds %d -> %d, threads (platform+virtual) %d -> %d,"
                        + " heap after GC %d KB -> %d KB%n", cycles, millis, server.acceptedConnections(), fds0, fds1, threads0, threads1,
                heap0 / 1024, heap1 / 1024);
        assertThat(fds1).as("file descriptors").isLessThanOrEqualTo(fds0 + 2);
        assertThat(threads1).as("threads").isLessThanOrEqualTo(threads0 + 2);
        // bugs.md B3: the write watchdog used to hold each closed connection for write_timeout (+9 MB here)
        assertThat(heap1 - heap0).as("heap growth").isLessThan(8L * 1024 * 1024);
        assertThat(Probe.threadsNamed("loomsocket-conn")).isZero();
        assertThat(Probe.threadsNamed("loomsocket-reader")).isZero();
    }
}
