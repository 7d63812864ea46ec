package io.loomsocket.demo.chat;

import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.RedisProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fan-out benchmark: one sender, 10,000 receivers in one chat room, on one server
 * process (memory layer) and split over two server processes sharing Redis. The sender sends
 * the next message once every receiver had the previous one; reported: the time until all had
 * it (p50, max) and deliveries per second. Receivers are raw sockets on virtual threads in this
 * JVM (a minimal frame reader: no compression, unmasked server frames per RFC 6455 §5.1).
 * Long run only: {@code -Dloomsocket.long=true} (about a minute).
 */
@IntegrationTest
@EnabledIfSystemProperty(named = "loomsocket.long", matches = "true")
class ChatFanOutBenchTest {
    static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();
    static final int RECEIVERS = Integer.getInteger("fanout.receivers", 10_000);
    static final int MESSAGES = Integer.getInteger("fanout.messages", 200);
    static final int WARMUP = 20;
    static final Map<String, String> ENV = Map.of("HTTP_MAX_CONNECTIONS", "20000", "WEBSOCKET_PING_INTERVAL", "0");

    /**
     * The same runs outside JUnit: {@code java -cp <test class path> io.loomsocket.demo.chat.ChatFanOutBenchTest
     * [memory|redis]...} (servers are spawned on the same class path).
     */
    public static void main(String[] args) throws Exception {
        var t = new ChatFanOutBenchTest();
        for (String a : args.length == 0 ? new String[] {"memory", "redis"} : args) {
            if (a.equals("memory")) t.oneProcessMemoryLayer();
            else t.twoProcessesThroughRedis();
        }
    }

    @Test
    void oneProcessMemoryLayer() throws Exception {
        try (var a = ChatProcess.start("memory", ENV, "-Xmx1g")) {
            run("1 process, memory layer", List.of(a));
        }
    }

    @Test
    void twoProcessesThroughRedis() throws Exception {
        try (var redis = RedisProcess.start();
             var a = ChatProcess.start(redis.uri(), ENV, "-Xmx1g");
             var b = ChatProcess.start(redis.uri(), ENV, "-Xmx1g")) {
            run("2 processes, Redis layer", List.of(a, b));
        }
    }

    private static void run(String name, List<ChatProcess> servers) throws Exception {
        int total = WARMUP + MESSAGES;
        var remaining = new AtomicIntegerArray(total + 1);
        for (int i = 0; i <= total; i++) remaining.set(i, RECEIVERS);
        long[] sentAt = new long[total + 1];
        long[] allAt = new long[total + 1];
        var roundDone = new Semaphore(0);
        var errors = new LongAdder();
        var connected = new CountDownLatch(RECEIVERS);
        var gate = new Semaphore(200); // handshakes at a time
        var sockets = new ArrayList<Socket>();
        var probeSeen = new AtomicInteger();
        var lastFrameAt = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
        String cookie = servers.get(0).login("bench"); // every receiver is the same user, as the sender
        try {
            for (int i = 0; i < RECEIVERS; i++) {
                ChatProcess server = servers.get(i % servers.size());
                Socket s = new Socket();
                sockets.add(s);
                Thread.ofVirtual().start(() -> {
                    try {
                        gate.acquire();
                        try {
                            handshake(s, server.port(), cookie);
                        } finally {
                            gate.release();
                        }
                        connected.countDown();
                        var in = new DataInputStream(s.getInputStream());
                        boolean probed = false;
                        while (true) {
                            String frame = readTextFrame(in);
                            if (frame == null) return;
                            String text = ChatFanOutBenchTest.messageText(frame);
                            if (text == null) continue; // presence, join, leave
                            lastFrameAt.set(System.nanoTime());
                            if (text.equals("probe")) {
                                if (!probed) probeSeen.incrementAndGet();
                                probed = true;
                                continue;
                            }
                            int seq = Integer.parseInt(text.substring(0, text.indexOf(':')));
                            if (remaining.decrementAndGet(seq) == 0) {
                                allAt[seq] = System.nanoTime();
                                roundDone.release();
                            }
                        }
                    } catch (IOException | InterruptedException | RuntimeException e) {
                        errors.increment();
                    }
                });
            }
            assertThat(connected.await(120, TimeUnit.SECONDS)).as("%d handshakes", RECEIVERS).isTrue();
            try (var sender = ChatClient.connect(servers.get(0).room("fanout"), cookie)) {
                // every receiver joined and is reachable; one probe at a time (a flood would fill the outboxes)
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (probeSeen.get() < RECEIVERS) {
                    assertThat(System.nanoTime()).as("probes reach everyone (%d)", probeSeen.get()).isLessThan(deadline);
                    sender.send("probe");
                    int before = -1;
                    while (probeSeen.get() < RECEIVERS && probeSeen.get() != before) { // until no progress for 2 s
                        before = probeSeen.get();
                        Thread.sleep(2000);
                    }
                }
                while (System.nanoTime() - lastFrameAt.get() < TimeUnit.SECONDS.toNanos(1)) Thread.sleep(200); // quiet
                String pad = "x".repeat(20); // 64 B with the JSON around it
                for (int seq = 1; seq <= total; seq++) {
                    sentAt[seq] = System.nanoTime();
                    sender.send(seq + ":" + pad);
                    assertThat(roundDone.tryAcquire(30, TimeUnit.SECONDS)).as("message %d reached all receivers", seq).isTrue();
                }
            }
            long[] lat = new long[MESSAGES];
            for (int i = 0; i < MESSAGES; i++) lat[i] = allAt[WARMUP + 1 + i] - sentAt[WARMUP + 1 + i];
            long window = allAt[total] - sentAt[WARMUP + 1];
            Arrays.sort(lat);
            System.out.printf("FANOUT %s: %d receivers, %d messages of 64 B: all-received p50 %.1f ms, p99 %.1f ms, max %.1f ms; %.0f deliveries/s; %d receiver errors%n",
                    name, RECEIVERS, MESSAGES, lat[MESSAGES / 2] / 1e6, lat[(int) (MESSAGES * 0.99)] / 1e6, lat[MESSAGES - 1] / 1e6,
                    (double) RECEIVERS * MESSAGES / (window / 1e9), errors.sum());
            for (ChatProcess s : servers) System.out.println("FANOUT   server stats: " + s.stats());
            assertThat(errors.sum()).isZero();
        } catch (AssertionError e) {
            for (ChatProcess s : servers) System.out.println("FANOUT   server log tail: " + tail(s.log()) + "\nstats: " + s.stats());
            System.out.println("FANOUT   receiver errors: " + errors.sum() + ", probes seen: " + probeSeen.get());
            throw e;
        } finally {
            for (Socket s : sockets) try { s.close(); } catch (IOException ignored) { }
        }
    }

    private static String tail(String log) { return log.length() <= 3000 ? log : log.substring(log.length() - 3000); }

    /** The text of a chat message, or null for any other message of the chat. */
    static String messageText(String json) {
        var m = JSON.readTree(json);
        return m.path("type").asString().equals("message") ? m.path("text").asString() : null;
    }

    private static void handshake(Socket s, int port, String cookie) throws IOException {
        s.connect(new InetSocketAddress("127.0.0.1", port), 30_000);
        s.getOutputStream().write(("GET /chat/fanout HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nCookie: " + cookie + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        int matched = 0;
        var head = new StringBuilder();
        while (matched < 4) { // until CRLF CRLF
            int c = in.read();
            if (c < 0) throw new IOException("closed during the handshake");
            head.append((char) c);
            matched = (c == '\r' && (matched == 0 || matched == 2)) || (c == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) throw new IOException("handshake refused: " + head);
    }

    /** The next unfragmented text frame's text (RFC 6455 §5.2); pings are skipped; null at close. */
    private static String readTextFrame(DataInputStream in) throws IOException {
        while (true) {
            int b0 = in.read();
            if (b0 < 0) return null;
            int b1 = in.readUnsignedByte();
            long len = b1 & 0x7f;
            if (len == 126) len = in.readUnsignedShort();
            else if (len == 127) len = in.readLong();
            byte[] payload = in.readNBytes((int) len);
            int opcode = b0 & 0x0f;
            if (opcode == 0x8) return null;
            if (opcode == 0x1) return new String(payload, StandardCharsets.UTF_8);
        }
    }
}
