package io.loomsocket.demo.chat;

import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two chat server processes sharing one real Redis are one chat: several logged-in clients on
 * each, all in one room.
 */
@IntegrationTest
class ChatClusterTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static RedisProcess redis;
    static ChatProcess a, b;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisProcess.start();
        a = ChatProcess.start(redis.uri());
        b = ChatProcess.start(redis.uri());
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {a, b, redis}) if (c != null) c.close();
    }

    @Test
    void everyClientSeesEveryMessageOnceAndInTheSameOrder() throws Exception {
        String room = "cluster";
        var clients = new ArrayList<ChatClient>();
        try {
            for (int i = 0; i < 6; i++) clients.add(ChatClient.connect(i % 2 == 0 ? a : b, room, "user" + i));
            Chat.link(clients);
            int rounds = 5, each = 10, n = rounds * each;
            var received = new ArrayList<List<String>>();
            for (int i = 0; i < clients.size(); i++) received.add(new ArrayList<>());
            for (int r = 0; r < rounds; r++) {
                // all six send at once; 60 messages in flight per receiver stay under the outbox (100)
                var threads = new ArrayList<Thread>();
                for (int i = 0; i < clients.size(); i++) {
                    ChatClient c = clients.get(i);
                    String me = "c" + i + ":";
                    int from = r * each;
                    threads.add(Thread.ofVirtual().start(() -> { for (int k = from; k < from + each; k++) c.send(me + k); }));
                }
                for (Thread t : threads) t.join();
                for (int i = 0; i < clients.size(); i++) received.get(i).addAll(Chat.collect(clients.get(i), clients.size() * each, WAIT));
            }
            for (int c = 0; c < clients.size(); c++) {
                List<String> got = received.get(c);
                assertThat(clients.get(c).receive(Duration.ofMillis(200))).as("nothing more (no duplicates)").isNull();
                assertThat(got).hasSize(clients.size() * n).doesNotHaveDuplicates();
                assertThat(got).as("the same order for every member").isEqualTo(received.get(0));
                for (int i = 0; i < clients.size(); i++) {
                    String sender = "c" + i + ":";
                    assertThat(got.stream().filter(m -> m.startsWith(sender)).toList())
                            .as("messages of %s in order", sender)
                            .isEqualTo(IntStream.range(0, n).mapToObj(k -> sender + k).toList());
                }
            }
            assertThat(a.stat("publish_failed")).isEqualTo("0");
            assertThat(b.stat("remote_missed")).isEqualTo("0");
        } finally {
            clients.forEach(ChatClient::close);
        }
    }

    @Test
    void aSlowConsumerThatNeverReadsDoesNotDelayTheOthers() throws Exception {
        String room = "slow";
        var clients = new ArrayList<ChatClient>();
        try (Socket slow = Chat.rawClientThatNeverReads(a.port(), "/chat/" + room, a.login("slow"))) {
            for (ChatProcess server : List.of(a, a, b)) clients.add(ChatClient.connect(server, room, "fast"));
            Chat.link(clients);
            long droppedBefore = Long.parseLong(a.stat("dropped"));
            String big = "x".repeat(64 * 1024);
            int rounds = 30, burst = 10; // 19 MB: far more than the slow peer's socket buffers and outbox hold
            long t0 = System.nanoTime();
            ChatClient sender = clients.get(0);
            for (int r = 0; r < rounds; r++) {
                int first = r * burst;
                // bursts smaller than the outbox (100 messages, 1 MiB: 10 of 64 KiB): readers that keep up lose nothing
                for (int k = first; k < first + burst; k++) sender.send(k + ":" + big);
                for (ChatClient c : clients) {
                    List<String> got = Chat.collect(c, burst, WAIT);
                    assertThat(got.stream().map(m -> m.substring(0, m.indexOf(':'))).toList())
                            .isEqualTo(IntStream.range(first, first + burst).mapToObj(String::valueOf).toList());
                }
            }
            int n = rounds * burst;
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            // a member blocked behind the slow one would wait for its 30 s write timeout (websocket.write_timeout)
            assertThat(tookMs).as("every fast member had all %d messages after %d ms", n, tookMs).isLessThan(25_000);
            assertThat(Long.parseLong(a.stat("dropped")) - droppedBefore).as("the slow member's outbox overflowed").isPositive();
            assertThat(slow.getInputStream().available()).as("the slow peer has unread messages waiting in its socket").isPositive();
        } finally {
            clients.forEach(ChatClient::close);
        }
    }

    /** Helpers shared by the chat tests. */
    static final class Chat {
        private Chat() {}

        /** Until every client has seen a probe from every other (Redis subscriptions are asynchronous). */
        static void link(List<ChatClient> clients) throws InterruptedException {
            var seen = new ConcurrentHashMap<Integer, Boolean>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (seen.size() < clients.size()) {
                if (System.nanoTime() > deadline) throw new AssertionError("clients never all linked: " + seen.keySet());
                for (ChatClient c : clients) c.send("probe");
                for (int i = 0; i < clients.size(); i++) {
                    int got = 0;
                    for (String m; (m = clients.get(i).receive(Duration.ofMillis(100))) != null; ) if (m.equals("probe")) got++;
                    if (got >= clients.size()) seen.put(i, true);
                }
            }
            for (ChatClient c : clients) while (c.receive(Duration.ofMillis(300)) != null) { } // late probes
        }

        /** The next {@code n} messages that are not probes. */
        static List<String> collect(ChatClient c, int n, Duration timeout) throws InterruptedException {
            var got = new ArrayList<String>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (got.size() < n) {
                long left = deadline - System.nanoTime();
                String m = left > 0 ? c.receive(Duration.ofNanos(left)) : null;
                if (m == null) throw new AssertionError("only " + got.size() + " of " + n + " messages arrived");
                if (!m.equals("probe")) got.add(m);
            }
            return got;
        }

        /** Completes a WebSocket handshake by hand, then never reads again (a tiny receive buffer). */
        static Socket rawClientThatNeverReads(int port, String path, String cookie) throws Exception {
            var s = new Socket();
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nCookie: " + cookie + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            var head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) throw new AssertionError("closed during the handshake: " + head);
                head.append((char) c);
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 101");
            return s;
        }
    }
}
