package io.loomsocket.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.WebSocketTimeoutException;
import io.loomsocket.engine.DeflateParams;
import io.loomsocket.testing.IntegrationTest;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Messages over real loopback sockets between a server-role and a client-role connection. */
@IntegrationTest
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MessagingTest {
    private static final WebSocketConfig CONFIG = WebSocketConfig.builder().compression(false).build();

    @Test
    void textBinaryAndNonAsciiArriveIntactBothWays() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            String text = "héllo wörld – 日本語 – 😀 emoji";
            byte[] bin = {0, 1, 2, (byte) 0xFF, (byte) 0x80, 0x7F};
            ws.client().send(text);
            ws.client().send(bin);
            ws.client().send("");
            ws.client().send(new byte[0]);
            assertThat(ws.server().receive()).contains(Message.text(text));
            assertThat(ws.server().receive()).contains(Message.binary(bin));
            assertThat(ws.server().receive()).contains(Message.text(""));
            assertThat(ws.server().receive()).contains(Message.binary(new byte[0]));
            ws.server().send(text);
            Message m = ws.client().receive().orElseThrow();
            assertThat(m.isText()).isTrue();
            assertThat(m.text()).isEqualTo(text);
            assertThat(ws.client().subprotocol()).contains("chat");
        }
    }

    @Test
    void boundaryLengthsEchoExactly() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            Random r = new Random(0);
            for (int len : new int[] {0, 1, 125, 126, 127, 65535, 65536, 65537, 200_000}) {
                byte[] b = new byte[len];
                r.nextBytes(b);
                ws.client().send(b);
                Message m = ws.server().receive().orElseThrow();
                ws.server().send(m);
                assertThat(ws.client().receive().orElseThrow().bytes()).as("length %d", len).isEqualTo(b);
            }
        }
    }

    @Test
    void compressedMessagesRoundTrip() throws Exception {
        WebSocketConfig config = WebSocketConfig.builder().compressionThreshold(16).build();
        DeflateParams pmd = new DeflateParams(true, true, 0, 0);
        try (var ws = Pair.webSockets(config, config, pmd)) {
            String big = "compress me please ".repeat(10_000);
            ws.client().send(big);
            ws.client().send("short");
            assertThat(ws.server().receive().orElseThrow().text()).isEqualTo(big);
            assertThat(ws.server().receive().orElseThrow().text()).isEqualTo("short");
            ws.server().send(big);
            assertThat(ws.client().receive().orElseThrow().text()).isEqualTo(big);
            assertThat(ws.client().extensions()).startsWith("permessage-deflate");
        }
    }

    @Test
    void countAndReadAreExactAndNonBlocking() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            assertThat(ws.server().read()).isEmpty();
            assertThat(ws.server().hasMessages()).isFalse();
            for (int i = 0; i < 5; i++) ws.client().send("m" + i);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (ws.server().countMessages() < 5 && System.nanoTime() < deadline) Thread.sleep(1);
            assertThat(ws.server().countMessages()).isEqualTo(5);
            assertThat(ws.server().hasMessages()).isTrue();
            assertThat(ws.server().read()).contains(Message.text("m0"));
            assertThat(ws.server().countMessages()).isEqualTo(4);
            assertThatThrownBy(() -> ws.client().receive(Duration.ofMillis(50)))
                    .isInstanceOf(WebSocketTimeoutException.class);
        }
    }

    @Test
    void iterationEndsWhenThePeerCloses() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            for (int i = 0; i < 3; i++) ws.client().send("m" + i);
            ws.client().close(1000, "done");
            List<String> got = new ArrayList<>();
            for (Message m : ws.server()) got.add(m.text());
            assertThat(got).containsExactly("m0", "m1", "m2");
            assertThat(ws.server().receive()).isEmpty();
            assertThat(ws.server().closeCode()).hasValue(1000);
            assertThat(ws.server().closeReason()).isEqualTo("done");
        }
    }

    @Test
    void sendStreamSendsFragmentsThatArriveAsOneMessage() throws Exception {
        WebSocketConfig small = WebSocketConfig.builder().compression(false).writeBufferSize(1024).build();
        try (var ws = Pair.webSockets(small)) {
            StringBuilder expected = new StringBuilder();
            try (OutputStream os = ws.client().sendStream(true)) {
                for (int i = 0; i < 100; i++) {
                    String part = "ünïcödé part " + i + " ";
                    expected.append(part);
                    os.write(part.getBytes(StandardCharsets.UTF_8));
                    if (i % 10 == 0) os.flush();
                }
                // misuse is refused: another message from this thread while the stream is open
                assertThatThrownBy(() -> ws.client().send("x")).isInstanceOf(IllegalStateException.class);
            }
            assertThat(ws.server().receive().orElseThrow().text()).isEqualTo(expected.toString());
        }
    }

    @Test
    void pingMeasuresRoundTripWhileTheViewIsBusy() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            // the server view never receives: its reader answers pings by itself
            Duration rtt = ws.client().ping();
            assertThat(rtt).isPositive().isLessThan(Duration.ofSeconds(2));
            Duration rtt2 = ws.server().ping();
            assertThat(rtt2).isPositive().isLessThan(Duration.ofSeconds(2));
            ws.client().pong(new byte[] {1, 2, 3}); // unsolicited pong is harmless
            ws.client().send("still fine");
            assertThat(ws.server().receive()).contains(Message.text("still fine"));
        }
    }

    @Test
    void manyThreadsSendingConcurrentlyNeverTearFrames() throws Exception {
        int threads = 8;
        int each = 2000;
        try (var ws = Pair.webSockets(CONFIG)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                senders.add(Thread.ofVirtual().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < each; i++) {
                        if (i % 2 == 0) ws.client().send(id + ":" + i + ":" + "x".repeat(i % 300));
                        else ws.client().send((id + ":" + i + ":" + "y".repeat(i % 700)).getBytes(StandardCharsets.UTF_8));
                    }
                }));
            }
            start.countDown();
            int[] next = new int[threads];
            for (int n = 0; n < threads * each; n++) {
                Message m = ws.server().receive().orElseThrow();
                String[] parts = m.text().split(":", 3);
                int id = Integer.parseInt(parts[0]);
                int i = Integer.parseInt(parts[1]);
                assertThat(i).as("order of thread %d", id).isEqualTo(next[id]++);
                assertThat(m.isText()).isEqualTo(i % 2 == 0);
                assertThat(parts[2]).isEqualTo((i % 2 == 0 ? "x" : "y").repeat(i % (i % 2 == 0 ? 300 : 700)));
            }
            for (Thread t : senders) t.join();
        }
    }

    @Test
    void receiveStreamHandlesAMessageLargerThanMaxMessageSize() throws Exception {
        WebSocketConfig config = WebSocketConfig.builder().compression(false).maxMessageSize(64 << 10)
                .maxFrameSize(16 << 10).build();
        try (var ws = Pair.webSockets(config)) {
            int total = 4 << 20; // 64 times max_message_size
            Thread receiver;
            long[] received = new long[1];
            long[] checksum = new long[1];
            CountDownLatch waiting = new CountDownLatch(1);
            receiver = Thread.ofVirtual().start(() -> {
                waiting.countDown();
                WebSocket.MessageStream s = ws.server().receiveStream().orElseThrow();
                byte[] buf = new byte[7000];
                try (InputStream in = s) {
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        for (int i = 0; i < n; i++) checksum[0] += buf[i] & 0xFF;
                        received[0] += n;
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            waiting.await();
            // the receiver must be blocked in receiveStream() before the message starts
            while (!ws.server().queue().streamWanted()) Thread.sleep(1);
            long expectedSum = 0;
            try (OutputStream os = ws.client().sendStream(false)) {
                byte[] chunk = new byte[10_000];
                for (int sent = 0; sent < total; sent += chunk.length) {
                    int n = Math.min(chunk.length, total - sent);
                    Arrays.fill(chunk, (byte) (sent / chunk.length));
                    for (int i = 0; i < n; i++) expectedSum += chunk[i] & 0xFF;
                    os.write(chunk, 0, n);
                }
            }
            receiver.join(20_000);
            assertThat(received[0]).isEqualTo(total);
            assertThat(checksum[0]).isEqualTo(expectedSum);
            // the connection is still fine afterwards
            ws.client().send("after");
            assertThat(ws.server().receive()).contains(Message.text("after"));
        }
    }

    @Test
    void aTooBigMessageClosesWith1009() throws Exception {
        WebSocketConfig config = WebSocketConfig.builder().compression(false).maxMessageSize(1000).build();
        try (var ws = Pair.webSockets(config)) {
            ws.client().send(new byte[2000]);
            assertThat(ws.server().receive()).isEmpty();
            assertThat(ws.server().closeCode()).hasValue(1009);
            ws.client().receive();
            assertThat(ws.client().closeCode()).hasValue(1009);
        }
    }

    @Test
    void rfc7692_anIncompressibleMessageOfExactlyMaxMessageSizeIsAccepted() throws Exception {
        WebSocketConfig config = WebSocketConfig.builder().compressionThreshold(0).build(); // 1 MiB limits
        DeflateParams pmd = new DeflateParams(true, true, 0, 0);
        try (var ws = Pair.webSockets(config, config, pmd)) {
            byte[] random = new byte[config.maxMessageSize()];
            new Random(7).nextBytes(random); // deflate makes it a little longer on the wire
            ws.client().send(random);
            assertThat(ws.server().receive().orElseThrow().bytes()).isEqualTo(random);
            ws.client().send(new byte[config.maxMessageSize() + 1]); // compresses well, but inflates past the limit
            assertThat(ws.server().receive()).isEmpty();
            assertThat(ws.server().closeCode()).hasValue(1009);
        }
    }
}
