package io.loomsocket.interop.client;

import io.loomsocket.engine.ServerHandshake;
import static io.loomsocket.interop.raw.RawFrame.BINARY;
import static io.loomsocket.interop.raw.RawFrame.CLOSE;
import static io.loomsocket.interop.raw.RawFrame.CONTINUATION;
import static io.loomsocket.interop.raw.RawFrame.PING;
import static io.loomsocket.interop.raw.RawFrame.PONG;
import static io.loomsocket.interop.raw.RawFrame.TEXT;
import static io.loomsocket.interop.raw.RawFrame.closePayload;
import static io.loomsocket.interop.raw.RawFrame.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.interop.raw.Deflate;
import io.loomsocket.engine.HttpHead;
import io.loomsocket.interop.raw.RawFrame;
import io.loomsocket.interop.raw.RawServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The conformance suite the other way round: our client against a raw-socket server that
 * misbehaves on purpose (RFC 6455 §4.1 handshake checks, §5 framing, §7 closing; RFC 7692).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientConformanceTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    /** Waits until the client's connection is closed and returns its close code. */
    static int awaitClosed(WebSocket ws) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!ws.isClosed() && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(ws.isClosed()).as("client closed within 15 s").isTrue();
        return ws.closeCode().orElseThrow();
    }

    // ---------------------------------------------------------------- §4.1 the client's request

    @Test
    @DisplayName("§4.1 the request: GET, HTTP/1.1, Host, Upgrade, Connection, a 16-byte key, version 13")
    void requestIsWellFormed() throws Exception {
        Set<String> keys = new HashSet<>();
        try (RawServer s = RawServer.start(c -> {
            HttpHead req = c.accept();
            assertThat(req.startLine()).isEqualTo("GET /path?q=1 HTTP/1.1");
            assertThat(req.headers().get("Host")).isEqualTo("127.0.0.1:" + c.socket().getLocalPort());
            assertThat(req.headers().get("Upgrade")).isEqualToIgnoringCase("websocket");
            assertThat(req.headers().get("Connection")).containsIgnoringCase("Upgrade");
            assertThat(req.headers().get("Sec-WebSocket-Version")).isEqualTo("13");
            String key = req.headers().get("Sec-WebSocket-Key");
            assertThat(java.util.Base64.getDecoder().decode(key)).hasSize(16);
            keys.add(key);
            c.write(server(true, CLOSE, closePayload(1000, "")));
            c.nextClose();
        })) {
            for (int i = 0; i < 3; i++) {
                WebSocket ws = OurClient.connect(s.url("/path?q=1"), false);
                assertThat(ws.receive(WAIT)).isEmpty();
                assertThat(awaitClosed(ws)).isEqualTo(1000);
            }
        }
        assertThat(keys).as("§4.1: a new random key for every connection").hasSize(3);
    }

    @Test
    @DisplayName("§4.1, §1.9: offered subprotocols are sent in order; the server's pick is reported")
    void subprotocols() throws Exception {
        try (RawServer s = RawServer.start(c -> {
            HttpHead req = c.accept("Sec-WebSocket-Protocol: chat.v1");
            assertThat(req.headers().get("Sec-WebSocket-Protocol")).isEqualTo("chat.v2, chat.v1");
            c.write(server(true, CLOSE, closePayload(1000, "")));
            c.nextClose();
        })) {
            WebSocket ws = io.loomsocket.client.WebSocketClient.builder().subprotocols("chat.v2", "chat.v1")
                .connectTimeout(OurClient.TIMEOUT).handshakeTimeout(OurClient.TIMEOUT).build().connect(java.net.URI.create(s.url("/")));
            assertThat(ws.subprotocol()).contains("chat.v1");
            assertThat(awaitClosed(ws)).isEqualTo(1000);
        }
    }

    @Test
    @DisplayName("§4.1: a subprotocol the client did not offer fails the handshake")
    void unofferedSubprotocol() throws Exception {
        try (RawServer s = RawServer.start(c -> c.accept("Sec-WebSocket-Protocol: chat.v3"))) {
            assertThatThrownBy(() -> io.loomsocket.client.WebSocketClient.builder().subprotocols("chat.v2", "chat.v1")
                .connectTimeout(OurClient.TIMEOUT).handshakeTimeout(OurClient.TIMEOUT).build().connect(java.net.URI.create(s.url("/"))))
                .isInstanceOf(Exception.class);
        }
    }

    @Test
    @DisplayName("RFC 7692 §5: the client offers permessage-deflate when compression is on")
    void offersDeflate() throws Exception {
        try (RawServer s = RawServer.start(c -> {
            HttpHead req = c.accept();
            assertThat(req.headers().get("Sec-WebSocket-Extensions")).startsWith("permessage-deflate");
            c.write(server(true, CLOSE, closePayload(1000, "")));
            c.nextClose();
        })) {
            WebSocket ws = OurClient.connect(s.url("/"), true);
            assertThat(awaitClosed(ws)).isEqualTo(1000);
        }
    }

    // ---------------------------------------------------------------- §4.1 bad responses

    /** Each answer must make connect() fail (RFC 6455 §4.1, "the client MUST _Fail the WebSocket Connection_"). */
    @ParameterizedTest(name = "§4.1 bad response #{index}: connect fails")
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ACCEPT\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ACCEPT\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: ACCEPT\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ACCEPT\r\nSec-WebSocket-Extensions: x-unknown\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ACCEPT\r\nSec-WebSocket-Protocol: chat\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ACCEPT\r\nSec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=7\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ACCEPT\r\nSec-WebSocket-Extensions: permessage-deflate; unknown_param\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ACCEPT\r\nSec-WebSocket-Extensions: permessage-deflate, permessage-deflate\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ACCEPT\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits\r\n\r\n", // §7.1.2.2: a response must give a value
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ACCEPT\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; server_no_context_takeover; client_no_context_takeover\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ACCEPT\r\n", // no blank line: EOF in the head
        ""}) // the server closes without answering
    void badResponse(String response) throws Exception {
        try (RawServer s = RawServer.start(c -> {
            HttpHead req = c.readRequest();
            c.write(response.replace("ACCEPT", ServerHandshake.acceptKey(req.headers().get("Sec-WebSocket-Key"))));
        })) {
            assertThatThrownBy(() -> OurClient.connect(s.url("/"), true)).isInstanceOf(Exception.class);
        }
    }

    @Test
    @DisplayName("§4.1 a server that never answers: connect fails after the handshake timeout, never hangs")
    void silentServer() throws Exception {
        try (RawServer s = RawServer.start(c -> {
            c.readRequest();
            try {
                Thread.sleep(20_000);
            } catch (InterruptedException stopped) {
                // the test ended and stopped the server
            }
        })) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> OurClient.connect(s.url("/"), false)).isInstanceOf(Exception.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
        }
    }

    // ---------------------------------------------------------------- §5 framing from a bad server

    /** After a good handshake the server sends {@code bytes}; the client must fail with {@code code}. */
    static void expectClientFails(byte[] bytes, int code) throws Exception {
        try (RawServer s = RawServer.start(c -> {
            c.accept();
            try {
                c.write(bytes);
            } catch (java.io.IOException e) {
                // the client may fail the connection from a frame header and close before we finish writing
            }
            RawFrame close = c.nextClose();
            assertThat(close.masked()).as("§5.3 client frames are masked").isTrue();
            assertThat(close.closeCode()).as("client's close code, reason %s", close.closeReason()).isEqualTo(code);
            try {
                c.write(server(true, CLOSE, closePayload(code, "")));
            } catch (java.io.IOException e) {
                // §7.1.7: after failing the connection the client may close TCP without waiting for us
            }
        })) {
            WebSocket ws = OurClient.connect(s.url("/"), false);
            assertThat(awaitClosed(ws)).isEqualTo(code);
        }
    }

    @Test
    @DisplayName("§5.1 a masked server frame: 1002")
    void maskedServerFrame() throws Exception {
        expectClientFails(RawFrame.encode(true, 0, TEXT, utf8("masked"), RawFrame.TEST_MASK), 1002);
    }

    @ParameterizedTest(name = "§5.2 RSV bits {0} without an extension: 1002")
    @ValueSource(ints = {1, 2, 4})
    void reservedBits(int rsv) throws Exception {
        expectClientFails(RawFrame.encode(true, rsv, TEXT, utf8("rsv"), null), 1002);
    }

    @ParameterizedTest(name = "§5.2 reserved opcode 0x{0}: 1002")
    @ValueSource(ints = {3, 7, 0xB, 0xF})
    void reservedOpcode(int opcode) throws Exception {
        expectClientFails(server(true, opcode, new byte[0]), 1002);
    }

    @Test
    @DisplayName("§5.4 a continuation with no message started: 1002")
    void orphanContinuation() throws Exception {
        expectClientFails(server(true, CONTINUATION, utf8("x")), 1002);
    }

    @Test
    @DisplayName("§5.5 a fragmented ping: 1002")
    void fragmentedPing() throws Exception {
        expectClientFails(server(false, PING, utf8("x")), 1002);
    }

    @Test
    @DisplayName("§5.5 a 126-byte ping: 1002")
    void longPing() throws Exception {
        expectClientFails(server(true, PING, new byte[126]), 1002);
    }

    @ParameterizedTest(name = "§8.1 invalid UTF-8 {0} from the server: 1007")
    @ValueSource(strings = {"c0af", "eda080", "f4908080", "41e29c", "ff"})
    void invalidUtf8(String hex) throws Exception {
        expectClientFails(server(true, TEXT, HexFormat.of().parseHex(hex)), 1007);
    }

    @Test
    @DisplayName("§8.1 invalid UTF-8 split across two fragments: 1007")
    void invalidUtf8Fragmented() throws Exception {
        expectClientFails(RawFrame.concat(server(false, TEXT, HexFormat.of().parseHex("41ed")),
            server(true, CONTINUATION, HexFormat.of().parseHex("a080"))), 1007);
    }

    @ParameterizedTest(name = "§7.4 invalid close code {0} from the server: 1002")
    @ValueSource(ints = {0, 999, 1005, 1006, 1015, 2000, 5000})
    void invalidCloseCode(int code) throws Exception {
        expectClientFails(server(true, CLOSE, closePayload(code, "")), 1002);
    }

    @Test
    @DisplayName("§7.4.1 a message over the client's limit: 1009")
    void tooBig() throws Exception {
        expectClientFails(server(true, BINARY, new byte[(1 << 20) + 1]), 1009);
    }

    // ---------------------------------------------------------------- good behaviour

    @Test
    @DisplayName("§5.4 fragments with pings between them arrive as one message; pings get masked pongs")
    void fragmentsAndPings() throws Exception {
        try (RawServer s = RawServer.start(c -> {
            c.accept();
            c.write(RawFrame.concat(server(false, TEXT, HexFormat.of().parseHex("f09f")), server(true, PING, utf8("p1")),
                server(false, CONTINUATION, HexFormat.of().parseHex("8e")), server(true, PONG, utf8("unsolicited")),
                server(true, CONTINUATION, HexFormat.of().parseHex("89"))));
            RawFrame pong = c.next();
            assertThat(pong.opcode()).isEqualTo(PONG);
            assertThat(pong.masked()).isTrue();
            assertThat(pong.text()).isEqualTo("p1");
            RawFrame echo = c.next();
            assertThat(echo.masked()).isTrue();
            assertThat(echo.opcode()).isEqualTo(TEXT);
            assertThat(echo.text()).isEqualTo("got 🎉");
            c.write(server(true, CLOSE, closePayload(1000, "")));
            c.nextClose();
        })) {
            WebSocket ws = OurClient.connect(s.url("/"), false);
            Message m = ws.receive(WAIT).orElseThrow();
            assertThat(m).isEqualTo(Message.text("🎉"));
            ws.send("got " + m.text());
            assertThat(awaitClosed(ws)).isEqualTo(1000);
        }
    }

    @Test
    @DisplayName("§5.3 every client frame is masked, with a fresh key each time")
    void masksAreFresh() throws Exception {
        Set<String> keys = new HashSet<>();
        try (RawServer s = RawServer.start(c -> {
            c.accept();
            for (int i = 0; i < 20; i++) {
                byte[] key = new byte[4];
                RawFrame f = c.next(key);
                assertThat(f.masked()).isTrue();
                keys.add(HexFormat.of().formatHex(key));
                assertThat(f.text()).isEqualTo("m" + i);
            }
            c.write(server(true, CLOSE, closePayload(1000, "")));
            c.nextClose();
        })) {
            WebSocket ws = OurClient.connect(s.url("/"), false);
            for (int i = 0; i < 20; i++) ws.send("m" + i);
            assertThat(awaitClosed(ws)).isEqualTo(1000);
        }
        // §5.3: keys "derived from a strong source of entropy"; 20 random 32-bit keys collide with p < 1e-7
        assertThat(keys).hasSize(20);
    }

    @Test
    @DisplayName("§7.1.5 the server closes with 1001 and a reason: the client echoes, reports it, waits for the server's FIN")
    void serverCloses() throws Exception {
        try (RawServer s = RawServer.start(c -> {
            c.accept();
            c.write(RawFrame.concat(server(true, TEXT, utf8("last words")), server(true, CLOSE, closePayload(1001, "going away ✓"))));
            RawFrame close = c.nextClose();
            assertThat(close.masked()).isTrue();
            assertThat(close.closeCode()).isEqualTo(1001);
            // §7.1.1: the server closes TCP first, so the client waits for it and does not close now
            c.socket().setSoTimeout(300);
            assertThatThrownBy(() -> c.socket().getInputStream().read())
                .as("the client kept TCP open for the server to close it").isInstanceOf(java.net.SocketTimeoutException.class);
        })) {
            WebSocket ws = OurClient.connect(s.url("/"), false);
            assertThat(ws.receive(WAIT)).contains(Message.text("last words"));
            assertThat(ws.receive(WAIT)).isEmpty();
            assertThat(awaitClosed(ws)).isEqualTo(1001);
            assertThat(ws.closeReason()).isEqualTo("going away ✓");
        }
    }

    @ParameterizedTest(name = "§5.2 a {0}-byte binary frame from the server, split at every header byte, arrives whole")
    @ValueSource(ints = {0, 1, 125, 126, 127, 65535, 65536})
    void lengthBoundaries(int n) throws Exception {
        byte[] payload = new byte[n];
        new java.util.Random(n).nextBytes(payload);
        byte[] frame = server(true, BINARY, payload);
        int header = n <= 125 ? 2 : n <= 65535 ? 4 : 10;
        try (RawServer s = RawServer.start(c -> {
            c.accept();
            for (int at = 1; at <= header; at++) {
                c.write(java.util.Arrays.copyOfRange(frame, 0, at));
                Thread.sleep(1);
                c.write(java.util.Arrays.copyOfRange(frame, at, frame.length));
            }
            c.write(server(true, CLOSE, closePayload(1000, "")));
            c.nextClose();
        })) {
            WebSocket ws = OurClient.connect(s.url("/"), false);
            for (int at = 1; at <= header; at++) {
                assertThat(ws.receive(WAIT)).as("split at %d", at).contains(Message.binary(payload));
            }
            assertThat(awaitClosed(ws)).isEqualTo(1000);
        }
    }

    @ParameterizedTest(name = "§7.4 close code {0} from the server is echoed and reported")
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999})
    void validCloseCodes(int code) throws Exception {
        try (RawServer s = RawServer.start(c -> {
            c.accept();
            c.write(server(true, CLOSE, closePayload(code, "code " + code)));
            RawFrame close = c.nextClose();
            assertThat(close.masked()).isTrue();
            assertThat(close.closeCode()).as("§5.5.1: the client echoes the code").isEqualTo(code);
        })) {
            WebSocket ws = OurClient.connect(s.url("/"), false);
            assertThat(awaitClosed(ws)).isEqualTo(code);
            assertThat(ws.closeReason()).isEqualTo("code " + code);
        }
    }

    @Test
    @DisplayName("§7.1.5 the server drops TCP without a close frame: 1006")
    void serverDrops() throws Exception {
        try (RawServer s = RawServer.start(c -> {
            c.accept();
            c.write(server(false, TEXT, utf8("half")));
        })) {
            WebSocket ws = OurClient.connect(s.url("/"), false);
            assertThat(ws.receive(WAIT)).isEmpty();
            assertThat(awaitClosed(ws)).isEqualTo(1006);
        }
    }

    @Test
    @DisplayName("§7.1.2 close(4000, reason) sends a masked close frame and completes the handshake")
    void clientCloses() throws Exception {
        try (RawServer s = RawServer.start(c -> {
            c.accept();
            RawFrame close = c.nextClose();
            assertThat(close.masked()).isTrue();
            assertThat(close.closeCode()).isEqualTo(4000);
            assertThat(close.closeReason()).isEqualTo("client bye ✓");
            c.write(server(true, CLOSE, close.payload()));
            c.close();
        })) {
            WebSocket ws = OurClient.connect(s.url("/"), false);
            ws.close(4000, "client bye ✓");
            assertThat(ws.isClosed()).isTrue();
            assertThat(ws.closeCode()).hasValue(4000);
        }
    }

    @Test
    @DisplayName("§4.1 a frame in the same segment as the 101 response is not lost")
    void frameWithTheResponse() throws Exception {
        try (RawServer s = RawServer.start(c -> {
            HttpHead req = c.readRequest();
            c.write(RawFrame.concat(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + ServerHandshake.acceptKey(req.headers().get("Sec-WebSocket-Key")) + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1), server(true, TEXT, utf8("eager"))));
            c.write(server(true, CLOSE, closePayload(1000, "")));
            c.nextClose();
        })) {
            WebSocket ws = OurClient.connect(s.url("/"), false);
            assertThat(ws.receive(WAIT)).contains(Message.text("eager"));
            assertThat(awaitClosed(ws)).isEqualTo(1000);
        }
    }

    @Test
    @DisplayName("RFC 7692 §7.2: compressed messages both ways with no context takeover")
    void deflateBothWays() throws Exception {
        String text = "compressed by java.util.zip ✓ ".repeat(20);
        try (RawServer s = RawServer.start(c -> {
            HttpHead req = c.accept("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover");
            assertThat(req.headers().get("Sec-WebSocket-Extensions")).contains("permessage-deflate");
            for (int i = 0; i < 2; i++) c.write(RawFrame.encode(true, 4, TEXT, Deflate.compressOnce(utf8(text)), null));
            for (int i = 0; i < 2; i++) {
                RawFrame f = c.next();
                assertThat(f.masked()).isTrue();
                assertThat(f.rsv()).as("a %d-byte message is sent compressed", f.payload().length).isEqualTo(4);
                assertThat(new String(Deflate.decompressOnce(f.payload()), StandardCharsets.UTF_8)).isEqualTo(text);
            }
            c.write(server(true, CLOSE, closePayload(1000, "")));
            c.nextClose();
        })) {
            WebSocket ws = OurClient.connect(s.url("/"), true);
            assertThat(ws.extensions()).contains("permessage-deflate");
            for (int i = 0; i < 2; i++) {
                Message m = ws.receive(WAIT).orElseThrow();
                assertThat(m.text()).isEqualTo(text);
                ws.send(m.text());
            }
            assertThat(awaitClosed(ws)).isEqualTo(1000);
        }
    }

    @ParameterizedTest(name = "RFC 7692 §7.1: the response \"{0}\" is accepted and messages flow compressed")
    @ValueSource(strings = {
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
        "permessage-deflate; client_no_context_takeover; server_no_context_takeover; server_max_window_bits=9",
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=15",
        "permessage-deflate;server_no_context_takeover;client_no_context_takeover"})
    void deflateResponses(String response) throws Exception {
        String text = "window bits ✓ ".repeat(30);
        try (RawServer s = RawServer.start(c -> {
            c.accept("Sec-WebSocket-Extensions: " + response);
            // a raw deflate stream from a fresh window never refers back more than the message length
            c.write(RawFrame.encode(true, 4, TEXT, Deflate.compressOnce(utf8(text)), null));
            RawFrame f = c.next();
            assertThat(f.rsv()).isEqualTo(4);
            assertThat(new String(Deflate.decompressOnce(f.payload()), StandardCharsets.UTF_8)).isEqualTo(text);
            c.write(server(true, CLOSE, closePayload(1000, "")));
            c.nextClose();
        })) {
            WebSocket ws = OurClient.connect(s.url("/"), true);
            Message m = ws.receive(WAIT).orElseThrow();
            assertThat(m.text()).isEqualTo(text);
            ws.send(m.text());
            assertThat(awaitClosed(ws)).isEqualTo(1000);
        }
    }

    @Test
    @DisplayName("RFC 7692 §6.1: RSV1 from a server that did not accept permessage-deflate: 1002")
    void rsv1WithoutDeflate() throws Exception {
        expectClientFails(RawFrame.encode(true, 4, TEXT, Deflate.compressOnce(utf8("zzz")), null), 1002);
    }
}
