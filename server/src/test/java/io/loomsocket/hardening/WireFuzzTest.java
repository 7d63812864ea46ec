package io.loomsocket.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.engine.CloseCode;
import io.loomsocket.engine.Frame;
import io.loomsocket.engine.FrameParser;
import io.loomsocket.engine.FrameWriter;
import io.loomsocket.engine.MaskSource;
import io.loomsocket.engine.OpCode;
import io.loomsocket.engine.ProtocolException;
import io.loomsocket.engine.Role;
import io.loomsocket.server.HttpServer;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.raw.RawClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing over real sockets: mutated request heads, mutated WebSocket handshakes, and random
 * frame streams after a valid handshake. Each input is sent, then the client half-closes; the
 * server must answer with an HTTP response and/or close the connection within the socket
 * timeout, never hang, never answer 500 (an unexpected exception), and stay healthy.
 * Seeded ({@code -Dloomsocket.fuzz.seed=N}); 3,000 inputs normally, 100,000 with
 * {@code -Dloomsocket.long=true} (or {@code -Dloomsocket.wirefuzz.inputs=N}).
 */
@IntegrationTest
class WireFuzzTest {
    private static final boolean LONG = Boolean.getBoolean("loomsocket.long");
    private static final int INPUTS = Integer.getInteger("loomsocket.wirefuzz.inputs", LONG ? 100_000 : 3_000);
    private static final long SEED = Long.getLong("loomsocket.fuzz.seed", 20261125L);
    private static final String VALID_HEAD = "GET /echo?q=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: fuzz\r\nAccept: */*\r\n"
            + "Content-Length: 5\r\n\r\nhello";

    private HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = Apps.start(Map.of("http.header_read_timeout", "2s", "http.keep_alive_timeout", "2s",
                "websocket.close_timeout", "1s", "http.max_body_size", "64KiB"), Apps.echoUrl());
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(2));
    }

    // ------------------------------------------------------------------ generators

    private static byte[] mutate(Random rnd, byte[] base) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(base);
        byte[] b = out.toByteArray();
        int edits = 1 + rnd.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = b.length == 0 ? 0 : rnd.nextInt(b.length);
            switch (rnd.nextInt(8)) {
                case 0 -> { if (b.length > 0) b[at] = (byte) rnd.nextInt(256); }
                case 1 -> b = splice(b, at, 0, pick(rnd, "\r", "\n", "\r\n", " ", "\t", ":", "\0", ",", ";", "\u00ff"));
                case 2 -> b = splice(b, at, Math.min(b.length - at, 1 + rnd.nextInt(8)), "");
                case 3 -> b = splice(b, at, 0, pick(rnd, "Transfer-Encoding: chunked\r\n", "Content-Length: 3\r\n",
                        "Content-Length: -1\r\n", "Host: other\r\n", " folded\r\n", "Expect: 100-continue\r\n",
                        "Connection: close\r\n", "Upgrade: websocket\r\n", "X: " + "y".repeat(rnd.nextInt(10_000)) + "\r\n"));
                case 4 -> b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length + 1)); // truncated
                case 5 -> { // a random run of bytes
                    byte[] junk = new byte[rnd.nextInt(64)];
                    rnd.nextBytes(junk);
                    b = splice(b, at, 0, new String(junk, StandardCharsets.ISO_8859_1));
                }
                case 6 -> b = splice(b, at, 0, "X-H: v\r\n".repeat(rnd.nextInt(200)));
                default -> b = splice(b, at, 0, "0\r\n\r\n" + Integer.toHexString(rnd.nextInt()) + "\r\n");
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, String insert) {
        byte[] ins = insert.getBytes(StandardCharsets.ISO_8859_1);
        byte[] r = new byte[b.length - remove + ins.length];
        System.arraycopy(b, 0, r, 0, at);
        System.arraycopy(ins, 0, r, at, ins.length);
        System.arraycopy(b, at + remove, r, at + ins.length, b.length - at - remove);
        return r;
    }

    private static String pick(Random rnd, String... options) {
        return options[rnd.nextInt(options.length)];
    }

    private static byte[] handshake(Random rnd) {
        StringBuilder h = new StringBuilder((rnd.nextInt(6) != 0 ? "GET" : pick(rnd, "POST", "HEAD"))).append(' ')
                .append((rnd.nextInt(4) != 0 ? "/echo" : pick(rnd, "/nowhere", "/echo?x=%zz", "/%2e%2e/echo"))).append(" HTTP/1.")
                .append(rnd.nextInt(5) == 0 ? "0" : "1").append("\r\nHost: 127.0.0.1\r\n");
        if (rnd.nextInt(16) != 0) h.append("Upgrade: ").append((rnd.nextInt(4) != 0 ? "websocket" : pick(rnd, "WebSocket", "h2c, websocket", "web socket", ""))).append("\r\n");
        if (rnd.nextInt(16) != 0) h.append("Connection: ").append((rnd.nextInt(4) != 0 ? "Upgrade" : pick(rnd, "keep-alive, Upgrade", "close", "upgrade"))).append("\r\n");
        if (rnd.nextInt(16) != 0) h.append("Sec-WebSocket-Key: ").append((rnd.nextInt(4) != 0 ? RawClient.SAMPLE_KEY : pick(rnd, "short", "", "dGhlIHNhbXBsZSBub25jZQ==, x"))).append("\r\n");
        if (rnd.nextInt(16) != 0) h.append("Sec-WebSocket-Version: ").append((rnd.nextInt(4) != 0 ? "13" : pick(rnd, "8", "13, 8", "x"))).append("\r\n");
        if (rnd.nextInt(3) == 0) h.append("Sec-WebSocket-Extensions: ").append(pick(rnd, "permessage-deflate",
                "permessage-deflate; client_max_window_bits", "permessage-deflate; server_max_window_bits=7",
                "permessage-deflate; server_max_window_bits=16", "permessage-deflate; x", "permessage-deflate;;", "foo, bar=\"",
                "permessage-deflate; server_no_context_takeover; server_no_context_takeover")).append("\r\n");
        if (rnd.nextInt(4) == 0) h.append("Sec-WebSocket-Protocol: ").append(pick(rnd, "chat", "a, b", ",", "\"q\"")).append("\r\n");
        if (rnd.nextInt(4) == 0) h.append("Origin: ").append(pick(rnd, "http://127.0.0.1", "https://evil.test", "null", "::")).append("\r\n");
        h.append("\r\n");
        byte[] b = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        return rnd.nextInt(5) == 0 ? mutate(rnd, b) : b;
    }

    /** A stream of frames after a valid handshake: mostly well-formed, with random defects and junk. */
    private static byte[] frames(Random rnd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((rnd.nextBoolean() ? RawClient.upgradeRequest("/echo", RawClient.SAMPLE_KEY, "Sec-WebSocket-Extensions: permessage-deflate")
                : RawClient.upgradeRequest("/echo", RawClient.SAMPLE_KEY)).getBytes(StandardCharsets.ISO_8859_1));
        FrameWriter masked = new FrameWriter(Role.CLIENT, MaskSource.fixed(rnd.nextInt()));
        FrameWriter unmasked = new FrameWriter(Role.SERVER, null);
        int n = 1 + rnd.nextInt(8);
        for (int i = 0; i < n; i++) {
            int op = rnd.nextInt(10) == 0 ? rnd.nextInt(16) : pick(rnd, OpCode.TEXT, OpCode.BINARY, OpCode.CONTINUATION,
                    OpCode.PING, OpCode.PONG, OpCode.CLOSE, OpCode.TEXT);
            int len = rnd.nextInt(4) == 0 ? rnd.nextInt(70_000) : rnd.nextInt(130);
            byte[] payload = new byte[len];
            if (op == OpCode.TEXT && rnd.nextBoolean()) {
                byte[] t = "héllo wörld ✓ ".repeat(len / 16 + 1).getBytes(StandardCharsets.UTF_8);
                payload = java.util.Arrays.copyOf(t, len);
            } else {
                rnd.nextBytes(payload);
            }
            if (op == OpCode.CLOSE && rnd.nextBoolean()) payload = new byte[] {0x03, (byte) 0xe8};
            boolean fin = rnd.nextInt(5) != 0;
            boolean rsv1 = rnd.nextInt(8) == 0;
            byte[] frame;
            try {
                frame = (rnd.nextInt(12) == 0 ? unmasked : masked).encode(new Frame(fin, rsv1, rnd.nextInt(20) == 0, false, op, payload));
            } catch (IllegalArgumentException e) { // the writer refuses frames no peer could send (e.g. long control frames)
                frame = new byte[] {(byte) (0x80 | op), (byte) 0x80, 0, 0, 0, 0};
            }
            if (rnd.nextInt(10) == 0) frame = java.util.Arrays.copyOf(frame, rnd.nextInt(frame.length + 1));
            if (rnd.nextInt(10) == 0 && frame.length > 0) frame[rnd.nextInt(frame.length)] ^= (byte) (1 << rnd.nextInt(8));
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }

    private static int pick(Random rnd, int... options) {
        return options[rnd.nextInt(options.length)];
    }

    // ------------------------------------------------------------------ the oracle

    private final ConcurrentHashMap<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();

    /** Sends {@code input}, half-closes, reads to the end: a response or close must come, never a hang. */
    private void probe(int port, String kind, byte[] input, long seed) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            try {
                s.getOutputStream().write(input);
                s.shutdownOutput();
            } catch (IOException e) {
                // the server refused early (413/431) and closed while we were still writing: fine, read what it sent
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[16384];
            try {
                for (int r; (r = in.read(buf)) >= 0; ) got.write(buf, 0, r);
            } catch (SocketTimeoutException e) {
                throw new AssertionError(kind + " input of seed " + seed + ": no response or close within 10 s: "
                        + printable(input));
            } catch (IOException e) {
                // connection reset after the server closed with unread input: a close
            }
            byte[] answer = got.toByteArray();
            String head = new String(answer, 0, Math.min(answer.length, 12), StandardCharsets.ISO_8859_1);
            String outcome;
            if (answer.length == 0) {
                outcome = "closed without response";
            } else {
                if (!head.matches("HTTP/1\\.1 [1-5][0-9][0-9]")) {
                    throw new AssertionError(kind + " seed " + seed + ": not an HTTP response: " + printable(answer));
                }
                outcome = head.substring(9, 12);
                if (outcome.equals("500")) throw new AssertionError(kind + " seed " + seed + ": 500 for " + printable(input));
                if (outcome.equals("101")) outcome = "101 then " + closeOf(answer);
            }
            outcomes.computeIfAbsent(kind + " " + outcome, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** What the server's frames after a 101 end with: "close NNNN" or "no close frame". */
    private static String closeOf(byte[] answer) {
        String s = new String(answer, StandardCharsets.ISO_8859_1);
        int body = s.indexOf("\r\n\r\n") + 4;
        ByteBuffer buf = ByteBuffer.wrap(answer, body, answer.length - body);
        FrameParser p = new FrameParser(Role.CLIENT, 1 << 24, true);
        String last = "no close frame";
        try {
            for (Frame f; (f = p.parse(buf)) != null; ) {
                if (f.opcode() == OpCode.CLOSE) {
                    byte[] c = f.payload();
                    int code = c.length >= 2 ? ((c[0] & 0xff) << 8) | (c[1] & 0xff) : 1005;
                    // the server sends its own codes or echoes the client's (RFC 6455 §5.5.1), e.g. 3000-4999
                    if (!(code == 1005 || CloseCode.isValidToSend(code))) {
                        throw new AssertionError("server sent an invalid close code " + code);
                    }
                    last = "close " + code;
                }
            }
        } catch (ProtocolException e) {
            throw new AssertionError("the server's frames do not parse: " + e.getMessage());
        }
        return last;
    }

    private static String printable(byte[] b) {
        String s = new String(b, 0, Math.min(b.length, 600), StandardCharsets.ISO_8859_1);
        return s.replace("\r", "\\r").replace("\n", "\\n").replaceAll("[^\\x20-\\x7e]", "?");
    }

    @Test
    void everyInputGetsAResponseOrACloseAndTheServerStaysHealthy() throws Exception {
        int port = server.port();
        Object quiet = Probe.logLevel("io.loomsocket", "OFF"); // view and connection errors are counted below, not printed
        AtomicLong tried = new AtomicLong();
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            AtomicInteger next = new AtomicInteger();
            for (int w = 0; w < 8; w++) {
                futures.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < INPUTS; ) {
                        long seed = SEED * 1_000_003L + i;
                        Random rnd = new Random(seed);
                        switch (i % 3) {
                            case 0 -> probe(port, "head", mutate(rnd, VALID_HEAD.getBytes(StandardCharsets.ISO_8859_1)), seed);
                            case 1 -> probe(port, "handshake", handshake(rnd), seed);
                            default -> probe(port, "frames", frames(rnd), seed);
                        }
                        tried.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get(60, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
            Probe.logLevel("io.loomsocket", null);
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("wire fuzz: %d inputs over sockets in %d ms (seed %d); outcomes %s%n", tried.get(), millis, SEED,
                new java.util.TreeMap<>(outcomes));
        assertThat(tried.get()).isEqualTo(INPUTS);
        assertThat(Probe.await(Duration.ofSeconds(10), () -> server.openConnections() == 0))
                .as("connections left open: " + server.openConnections()).isTrue();
        try (var c = new io.loomsocket.server.RawHttp(port)) {
            assertThat(c.send("GET /echo HTTP/1.1\r\nHost: localhost\r\n\r\n").read().text()).isEqualTo("ok");
        }
        assertThat(quiet).isNotNull();
    }
}
