package io.loomsocket.hardening;

import static io.loomsocket.web.Views.path;
import static io.loomsocket.web.Views.requireWebSocket;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.server.HttpServer;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.raw.RawClient;
import io.loomsocket.web.Request;
import io.loomsocket.web.Response;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client that never reads: the view's sends block once the socket buffers are full (no
 * unbounded queue in the server), the blocked send fails after {@code websocket.write_timeout},
 * the connection is closed, and every other connection is served without waiting meanwhile.
 */
@IntegrationTest
class SlowReaderTest {
    private static final int MESSAGE = 64 * 1024;
    private HttpServer server;
    private final AtomicLong sentBytes = new AtomicLong();
    private final AtomicLong lastSendDone = new AtomicLong();
    private final AtomicLong failedAt = new AtomicLong();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final CountDownLatch viewDone = new CountDownLatch(1);

    @AfterEach
    void stop() {
        if (server != null) server.stop(Duration.ofSeconds(2));
    }

    /** Sends 64 KiB messages as fast as it can, recording how far it got and when it failed. */
    private Response flood(Request r) {
        WebSocket ws = r.websocket();
        byte[] data = new byte[MESSAGE];
        try {
            for (int i = 0; i < 10_000; i++) { // 640 MB if nothing stopped it
                ws.send(data);
                sentBytes.addAndGet(MESSAGE);
                lastSendDone.set(System.nanoTime());
            }
        } catch (RuntimeException e) {
            failedAt.set(System.nanoTime());
            failure.set(e);
        } finally {
            viewDone.countDown();
        }
        return null;
    }

    @Test
    void aClientThatNeverReadsBlocksOnlyItsOwnSenderThenIsClosed() throws Exception {
        server = Apps.start(Map.of("websocket.write_timeout", "3s", "websocket.compression", "false"),
                path("^flood$", requireWebSocket(this::flood)), Apps.echoUrl());
        int port = server.port();
        long heapBefore = Probe.heapAfterGc();
        WebSocket other = WebSocketClient.connect("ws://127.0.0.1:" + port + "/echo");
        try (RawClient slow = Apps.raw(port)) {
            slow.socket().setReceiveBufferSize(8 * 1024);
            assertThat(slow.upgrade("/flood")).isEqualTo(101);
            // ... and never reads again. Meanwhile another client's echo latency is measured.
            long worstMicros = 0;
            long t0 = System.nanoTime();
            int echoes = 0;
            while (viewDone.getCount() > 0 && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20)) {
                long s = System.nanoTime();
                other.send("tick " + echoes);
                assertThat(other.receive(Duration.ofSeconds(5))).contains(Message.text("tick " + echoes));
                worstMicros = Math.max(worstMicros, (System.nanoTime() - s) / 1000);
                echoes++;
                Thread.sleep(10);
            }
            assertThat(viewDone.await(10, TimeUnit.SECONDS)).as("the blocked send ended").isTrue();
            long heapWhileBlocked = Probe.heapAfterGc();

            // bounded: what got through is what the kernel's socket buffers hold, not 640 MB
            assertThat(sentBytes.get()).isLessThan(32L * 1024 * 1024);
            // the last send blocked about the write timeout, then failed with a closed exception
            long blockedMillis = (failedAt.get() - lastSendDone.get()) / 1_000_000;
            assertThat(blockedMillis).as("ms the last send blocked (write timeout 3 s)").isBetween(2700L, 9000L);
            assertThat(failure.get()).isInstanceOf(WebSocketClosedException.class);
            assertThat(((WebSocketClosedException) failure.get()).closeCode()).isIn(1008, 1006);
            // the others never waited for it
            assertThat(echoes).isGreaterThan(20);
            // had it waited for the stuck sender it would have waited the whole 3 s write timeout (the margin is for a loaded box)
            assertThat(worstMicros).as("worst echo latency of another client, µs").isLessThan(1_500_000);
            assertThat(heapWhileBlocked - heapBefore).as("heap growth while a client does not read").isLessThan(16L * 1024 * 1024);
            // the server let go of it: only the other client's connection is left (reading what the kernel still
            // buffers for the slow client would take long: with its 8 KiB window TCP falls back to persist probes)
            assertThat(Probe.await(Duration.ofSeconds(5), () -> server.openConnections() == 1)).isTrue();
            slow.reset();
            System.out.printf("slow reader: %d bytes accepted before blocking, send blocked %d ms, %d echoes of another"
                    + " client meanwhile, worst %d µs, heap +%d KB%n", sentBytes.get(), blockedMillis, echoes, worstMicros,
                    (heapWhileBlocked - heapBefore) / 1024);
        }
        other.close();
        assertThat(Probe.await(Duration.ofSeconds(3), () -> server.openConnections() == 0)).isTrue();
    }
}
