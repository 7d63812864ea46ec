package io.loomsocket.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.server.HttpServer;
import io.loomsocket.testing.IntegrationTest;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Graceful shutdown with clients that do not read while it happens. The server's echo view is
 * blocked writing to such a client (every socket buffer on the way is full), so the 1001 close
 * frame can only go out once the client reads again: then it must (after the message being
 * written, nothing later: RFC 6455 §5.5.1), and the client sees every echo in order and 1001. A
 * client that reads nothing for the whole grace period cannot be sent the close frame at all
 * (it would sit behind bytes the client never takes); it is aborted (1006) when the grace period
 * ends, and {@link HttpServer#stop()} still returns within the grace period.
 */
@IntegrationTest
class ShutdownTest {
    private static final Duration GRACE = Duration.ofSeconds(3);
    private static final int MESSAGE = 16 * 1024;
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) server.stop(Duration.ofSeconds(1));
    }

    private WebSocket connectAndStall(AtomicInteger sent) throws Exception {
        server = Apps.start(Map.of("shutdown.grace_period", GRACE.toMillis() + "ms"), Apps.echoUrl());
        WebSocket ws = WebSocketClient.builder().compression(false)
                .config(WebSocketConfig.builder().closeTimeout(Duration.ofSeconds(10)).build()).build()
                .connect(java.net.URI.create("ws://127.0.0.1:" + server.port() + "/echo"));
        // send without reading until nothing moves: our receive queue, both socket buffers towards
        // us, the server's queue and both socket buffers towards it are full, the view blocked in send
        Thread.ofVirtual().start(() -> {
            try {
                for (int n = 0; ; n++) {
                    ws.send(message(n));
                    sent.set(n + 1);
                }
            } catch (RuntimeException closed) {
                // the connection closed
            }
        });
        int last = -1;
        long still = System.nanoTime();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - still < TimeUnit.MILLISECONDS.toNanos(700)) {
            assertThat(System.nanoTime()).as("sends stall within 30 s").isLessThan(deadline);
            Thread.sleep(50);
            int now = sent.get();
            if (now != last) {
                last = now;
                still = System.nanoTime();
            }
        }
        assertThat(sent.get()).as("messages sent before everything stalled").isGreaterThan(16);
        return ws;
    }

    private static byte[] message(int n) {
        return ByteBuffer.allocate(MESSAGE).putInt(0, n).array();
    }

    /** Reads until the end; returns how many echoes came, checking they are 0, 1, 2, ... */
    private static int readEchoes(WebSocket ws) {
        int expected = 0;
        for (Optional<Message> m; (m = ws.receive(Duration.ofSeconds(10))).isPresent(); expected++) {
            byte[] b = m.get().bytes();
            assertThat(b.length).isEqualTo(MESSAGE);
            assertThat(ByteBuffer.wrap(b).getInt(0)).as("echoes in order, none lost or doubled").isEqualTo(expected);
        }
        return expected;
    }

    private CompletableFuture<Long> stopInBackground() {
        CompletableFuture<Long> stopped = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            long t0 = System.nanoTime();
            server.stop();
            stopped.complete((System.nanoTime() - t0) / 1_000_000);
        });
        return stopped;
    }

    @Test
    void aClientThatPausesReadingGetsEveryEchoThenClose1001() throws Exception {
        AtomicInteger sent = new AtomicInteger();
        WebSocket ws = connectAndStall(sent);
        CompletableFuture<Long> stopMillis = stopInBackground();
        Thread.sleep(1000); // the shutdown has begun; the view is still blocked writing to us
        assertThat(stopMillis).isNotDone();
        int echoed = readEchoes(ws);

        assertThat(ws.closeCode()).as("close code after %d echoes", echoed).hasValue(1001);
        assertThat(ws.closeReason()).isEqualTo("server shutting down");
        assertThat(echoed).isPositive().isLessThanOrEqualTo(sent.get());
        long ms = stopMillis.get(GRACE.toMillis() + 2000, TimeUnit.MILLISECONDS);
        assertThat(ms).as("ms the stop took").isLessThan(GRACE.toMillis());
        System.out.printf("shutdown, paused reader: %d sent, %d echoed in order, then 1001; stop took %d ms (grace %d ms)%n",
                sent.get(), echoed, ms, GRACE.toMillis());
    }

    @Test
    void aClientThatNeverReadsIsAbortedAndTheStopStaysWithinTheGracePeriod() throws Exception {
        AtomicInteger sent = new AtomicInteger();
        WebSocket ws = connectAndStall(sent);
        long ms = stopInBackground().get(GRACE.toMillis() + 2000, TimeUnit.MILLISECONDS);
        assertThat(ms).as("ms the stop took").isLessThan(GRACE.toMillis());
        // only now the client reads what reached it: a gap-free prefix of the echoes, no close frame
        int echoed = readEchoes(ws);
        assertThat(ws.closeCode()).as("close code after %d echoes (the close frame could not be written)", echoed)
                .hasValue(1006);
        assertThat(echoed).isLessThanOrEqualTo(sent.get());
        System.out.printf("shutdown, mute reader: %d sent, %d echoed in order, then 1006 (aborted); stop took %d ms (grace %d ms)%n",
                sent.get(), echoed, ms, GRACE.toMillis());
    }
}
