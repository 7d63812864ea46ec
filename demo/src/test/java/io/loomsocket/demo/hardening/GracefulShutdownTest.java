package io.loomsocket.demo.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.testing.IntegrationTest;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to the demo in its own JVM ({@code Process.destroy()}): every WebSocket gets close
 * 1001, every echo it sends is a gap-free in-order prefix of what its client sent (nothing the
 * server read is lost or duplicated), messages acknowledged before the signal all come back, and
 * the process exits within {@code SHUTDOWN_GRACE_PERIOD} even with a client that ignores the
 * closing handshake (the server aborts it shortly before the grace period ends; clients that stop
 * reading during the shutdown: {@code io.loomsocket.hardening.ShutdownTest} in the server module).
 */
@IntegrationTest
class GracefulShutdownTest {
    private static final Duration GRACE = Duration.ofSeconds(3);
    private static final int CLIENTS = 8;

    @Test
    void sigtermClosesEveryWebSocketWith1001LosesNothingAndExitsWithinTheGracePeriod() throws Exception {
        try (DemoProcess demo = DemoProcess.start(Map.of("SHUTDOWN_GRACE_PERIOD", GRACE.toMillis() + "ms"), "-Xmx256m")) {
            URI echo = URI.create("ws://127.0.0.1:" + demo.port() + "/echo");
            WebSocketClient client = WebSocketClient.builder()
                    .config(WebSocketConfig.builder().closeTimeout(Duration.ofSeconds(10)).build()).build();
            List<WebSocket> sockets = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) sockets.add(client.connect(echo));
            // a client that completes the handshake and then never reads nor answers the close
            Socket mute = new Socket("127.0.0.1", demo.port());
            mute.getOutputStream().write(("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream muteIn = mute.getInputStream();
            assertThat(new String(muteIn.readNBytes(12), StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 101");

            // phase 1: messages echoed before the signal (acknowledged by their echo)
            for (WebSocket ws : sockets) {
                for (int n = 0; n < 20; n++) ws.send("m" + n);
            }
            for (WebSocket ws : sockets) {
                for (int n = 0; n < 20; n++) assertThat(ws.receive(Duration.ofSeconds(10))).contains(Message.text("m" + n));
            }
            // phase 2: each client keeps sending while the signal arrives, and keeps reading its echoes
            AtomicInteger[] sent = new AtomicInteger[CLIENTS];
            List<List<String>> received = new ArrayList<>();
            CountDownLatch sending = new CountDownLatch(CLIENTS);
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                WebSocket ws = sockets.get(c);
                AtomicInteger count = sent[c] = new AtomicInteger(20);
                List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
                received.add(got);
                threads.add(Thread.ofVirtual().start(() -> {
                    sending.countDown();
                    try {
                        for (int n = 20; n < 100_000; n++) {
                            ws.send("m" + n);
                            count.incrementAndGet();
                            if (n % 50 == 0) Thread.sleep(1);
                        }
                    } catch (RuntimeException | InterruptedException closed) {
                        // the server's close frame arrived: sending ends
                    }
                }));
                threads.add(Thread.ofVirtual().start(() -> {
                    for (Optional<Message> m; (m = ws.receive(Duration.ofSeconds(30))).isPresent(); ) got.add(m.get().text());
                }));
            }
            assertThat(sending.await(5, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(200);
            long t0 = System.nanoTime();
            demo.process.destroy(); // SIGTERM
            // the mute client alone would hold a server that ignored the grace period for the whole
            // close timeout (10 s); the slack over the grace is the JVM's exit on a busy machine
            assertThat(demo.process.waitFor(GRACE.toMillis() + 4000, TimeUnit.MILLISECONDS))
                    .as("exited; output:\n" + demo.output()).isTrue();
            long exitMillis = (System.nanoTime() - t0) / 1_000_000;
            for (Thread t : threads) t.join(15_000);

            int totalEchoed = 0;
            for (int c = 0; c < CLIENTS; c++) {
                List<String> got = received.get(c);
                for (int i = 0; i < got.size(); i++) {
                    assertThat(got.get(i)).as("client %d: echoes in order, none lost or doubled", c).isEqualTo("m" + (20 + i));
                }
                assertThat(20 + got.size()).isLessThanOrEqualTo(sent[c].get());
                assertThat(sockets.get(c).closeCode().getAsInt()).as("client %d close code", c).isEqualTo(1001);
                totalEchoed += got.size();
            }
            // the mute client got its 1001 close frame too, and then the server gave up on it
            byte[] rest = muteIn.readAllBytes();
            mute.close();
            assertThat(indexOf(rest, new byte[] {(byte) 0x88, 0x16, 0x03, (byte) 0xe9})).as("close 1001 to the mute client").isNotNegative();
            assertThat(demo.process.exitValue()).isIn(0, 143);
            System.out.printf("graceful shutdown: %d WebSockets + 1 mute closed with 1001, %d messages echoed during the"
                    + " shutdown, process exited %d ms after SIGTERM (grace %d ms)%n", CLIENTS, totalEchoed, exitMillis, GRACE.toMillis());
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
