package io.loomsocket.interop.conformance;

import io.loomsocket.engine.ServerHandshake;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.loomsocket.engine.HttpHead;
import io.loomsocket.interop.raw.RawClient;
import io.loomsocket.interop.raw.RawFrame;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6455 §4.1, §4.2, §4.4, §1.9 and §9.1: the opening handshake, good and bad. */
class HandshakeConformanceTest extends ConformanceBase {

    static HttpHead exchange(String request) throws IOException {
        try (RawClient c = RawClient.connect(target.port())) {
            return c.handshake(request);
        }
    }

    static String request(String requestLine, String... headers) {
        StringBuilder sb = new StringBuilder(requestLine).append("\r\n");
        for (String h : headers) sb.append(h).append("\r\n");
        return sb.append("\r\n").toString();
    }

    @Test
    @DisplayName("§4.2.2 a good request gets 101 with Upgrade, Connection and the RFC's sample accept value")
    void goodRequest() throws IOException {
        try (RawClient c = RawClient.connect(target.port())) {
            HttpHead r = c.handshake(RawClient.upgradeRequest(target.echoPath(), RawClient.SAMPLE_KEY));
            assertThat(r.status()).isEqualTo(101);
            assertThat(r.startLine()).startsWith("HTTP/1.1 101");
            assertThat(r.headers().get("Upgrade")).isEqualToIgnoringCase("websocket");
            assertThat(r.headers().get("Connection")).containsIgnoringCase("upgrade");
            assertThat(r.headers().get("Sec-WebSocket-Accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            assertThat(r.headers().get("Sec-WebSocket-Protocol")).as("no subprotocol was offered").isNull();
            assertThat(r.headers().get("Sec-WebSocket-Extensions")).as("no extension was offered").isNull();
            c.echoText("hello");
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§4.2.2 Sec-WebSocket-Accept is computed from each random key")
    void acceptForRandomKeys() throws IOException {
        Random random = new Random(6455);
        for (int i = 0; i < 20; i++) {
            String key = RawClient.randomKey(random);
            try (RawClient c = RawClient.connect(target.port())) {
                HttpHead r = c.handshake(RawClient.upgradeRequest(target.echoPath(), key));
                assertThat(r.status()).isEqualTo(101);
                assertThat(r.headers().get("Sec-WebSocket-Accept")).isEqualTo(ServerHandshake.acceptKey(key));
            }
        }
    }

    @Test
    @DisplayName("§4.2.1 header names and the Upgrade token are case-insensitive; Connection is a token list")
    void caseAndTokenLists() throws IOException {
        HttpHead r = exchange(request("GET " + target.echoPath() + " HTTP/1.1", "host: 127.0.0.1",
            "UPGRADE: WebSocket", "connection: keep-alive, Upgrade", "sec-websocket-key: " + RawClient.SAMPLE_KEY,
            "SEC-WEBSOCKET-VERSION: 13"));
        assertThat(r.status()).isEqualTo(101);
        assertThat(r.headers().get("Sec-WebSocket-Accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @Test
    @DisplayName("§4.2.1 the first frame may arrive in the same segment as the request")
    void frameRightAfterRequest() throws IOException {
        try (RawClient c = RawClient.connect(target.port())) {
            c.send(RawFrame.concat(RawClient.upgradeRequest(target.echoPath(), RawClient.SAMPLE_KEY).getBytes(),
                RawFrame.clientText("eager")));
            assertThat(RawClient.readHead(c.input()).status()).isEqualTo(101);
            expectFrame(c, true, RawFrame.TEXT, utf8("eager"));
            c.closeNormally();
        }
    }

    static final String KEY = "Sec-WebSocket-Key: " + RawClient.SAMPLE_KEY;

    @Test
    @DisplayName("§4.2.1 item 4: missing Sec-WebSocket-Key: 400")
    void missingKey() throws IOException {
        assertThat(exchange(request("GET " + target.requirePath() + " HTTP/1.1", "Host: 127.0.0.1",
            "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13")).status()).isEqualTo(400);
    }

    @ParameterizedTest(name = "§4.2.1 item 5: bad Sec-WebSocket-Key \"{0}\": 400")
    @ValueSource(strings = {"short", "dGhlIHNhbXBsZSBub25jZQ", "AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "!!!!!!!!!!!!!!!!!!!!!!=="})
    void badKey(String key) throws IOException {
        assertThat(exchange(request("GET " + target.requirePath() + " HTTP/1.1", "Host: 127.0.0.1",
            "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13")).status())
            .isEqualTo(400);
    }

    @Test
    @DisplayName("§4.2.1: two Sec-WebSocket-Key fields: 400")
    void duplicateKey() throws IOException {
        assertThat(exchange(request("GET " + target.requirePath() + " HTTP/1.1", "Host: 127.0.0.1",
            "Upgrade: websocket", "Connection: Upgrade", KEY, "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==",
            "Sec-WebSocket-Version: 13")).status()).isEqualTo(400);
    }

    @ParameterizedTest(name = "§4.4 unsupported version {0}: 426 with Sec-WebSocket-Version: 13")
    @ValueSource(strings = {"8", "7", "14", "0"})
    void unsupportedVersion(String version) throws IOException {
        assumeTrue(target.isLoomsocket(), "views and the RFC's 426 choice are ours");
        HttpHead r = exchange(request("GET " + target.requirePath() + " HTTP/1.1", "Host: 127.0.0.1",
            "Upgrade: websocket", "Connection: Upgrade", KEY, "Sec-WebSocket-Version: " + version));
        assertThat(r.status()).isEqualTo(426);
        assertThat(r.headers().get("Sec-WebSocket-Version")).isEqualTo("13");
    }

    @Test
    @DisplayName("§4.2.1 item 6: missing Sec-WebSocket-Version: 400 or 426, never 101")
    void missingVersion() throws IOException {
        HttpHead r = exchange(request("GET " + target.requirePath() + " HTTP/1.1", "Host: 127.0.0.1",
            "Upgrade: websocket", "Connection: Upgrade", KEY));
        assertThat(r.status()).isIn(400, 426);
    }

    @Test
    @DisplayName("§4.2.1 item 3: Upgrade other than websocket on a view that requires one: 400")
    void wrongUpgrade() throws IOException {
        assumeTrue(target.isLoomsocket(), "views and the RFC's 426 choice are ours");
        assertThat(exchange(request("GET " + target.requirePath() + " HTTP/1.1", "Host: 127.0.0.1",
            "Upgrade: h2c", "Connection: Upgrade", KEY, "Sec-WebSocket-Version: 13")).status()).isEqualTo(400);
    }

    @Test
    @DisplayName("§4.2.1 item 4: Connection without the Upgrade token: 400")
    void connectionWithoutUpgrade() throws IOException {
        assumeTrue(target.isLoomsocket(), "views and the RFC's 426 choice are ours");
        assertThat(exchange(request("GET " + target.requirePath() + " HTTP/1.1", "Host: 127.0.0.1",
            "Upgrade: websocket", "Connection: keep-alive", KEY, "Sec-WebSocket-Version: 13")).status()).isEqualTo(400);
    }

    @Test
    @DisplayName("§4.1 item 2: a POST upgrade is not a WebSocket handshake: 400")
    void postIsNotAHandshake() throws IOException {
        assertThat(exchange(request("POST " + target.requirePath() + " HTTP/1.1", "Host: 127.0.0.1",
            "Upgrade: websocket", "Connection: Upgrade", KEY, "Sec-WebSocket-Version: 13", "Content-Length: 0")).status())
            .isIn(400, 405);
    }

    @Test
    @DisplayName("§4.1 item 2: an HTTP/1.0 upgrade is not a WebSocket handshake: 400")
    void http10IsNotAHandshake() throws IOException {
        assertThat(exchange(request("GET " + target.requirePath() + " HTTP/1.0", "Host: 127.0.0.1",
            "Upgrade: websocket", "Connection: Upgrade", KEY, "Sec-WebSocket-Version: 13")).status()).isEqualTo(400);
    }

    @Test
    @DisplayName("§4.2.1: a plain GET to a view that requires a WebSocket: 400")
    void plainGetOnRequiredView() throws IOException {
        assumeTrue(target.isLoomsocket(), "views and the RFC's 426 choice are ours");
        HttpHead r = exchange(request("GET " + target.requirePath() + " HTTP/1.1", "Host: 127.0.0.1", "Connection: close"));
        assertThat(r.status()).isEqualTo(400);
    }

    @Test
    @DisplayName("§1.9, §4.2.2: subprotocols the view does not speak are not selected")
    void unknownSubprotocols() throws IOException {
        try (RawClient c = RawClient.open(target.port(), target.echoPath(), "Sec-WebSocket-Protocol: chat, superchat")) {
            assertThat(c.response().headers().get("Sec-WebSocket-Protocol")).isNull();
            c.closeNormally();
        }
    }

    @ParameterizedTest(name = "§4.2.2 /subprotocol/: offer \"{0}\" to a view speaking chat.v1, chat.v2 selects \"{1}\"")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "chat.v2, chat.v1|chat.v2", "chat.v1, chat.v2|chat.v1", "x-other, chat.v2|chat.v2", "x-other|", "CHAT.V1|"})
    void subprotocolSelection(String offer, String selected) throws IOException {
        assumeTrue(target.isLoomsocket(), "a view with subprotocols is ours");
        try (RawClient c = RawClient.open(target.port(), "/proto", "Sec-WebSocket-Protocol: " + offer)) {
            // the client's order decides; no overlap means no header and no subprotocol (§4.2.2 item 5.4)
            assertThat(c.response().headers().get("Sec-WebSocket-Protocol")).isEqualTo(selected);
            c.echoText("speaking " + selected);
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§4.1 item 10: Sec-WebSocket-Protocol split over two header lines")
    void subprotocolOverTwoLines() throws IOException {
        assumeTrue(target.isLoomsocket(), "a view with subprotocols is ours");
        try (RawClient c = RawClient.open(target.port(), "/proto", "Sec-WebSocket-Protocol: x-other", "Sec-WebSocket-Protocol: chat.v2")) {
            assertThat(c.response().headers().get("Sec-WebSocket-Protocol")).isEqualTo("chat.v2");
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§9.1: unknown extensions are declined (no Sec-WebSocket-Extensions)")
    void unknownExtension() throws IOException {
        try (RawClient c = RawClient.open(target.port(), target.echoPath(), "Sec-WebSocket-Extensions: x-webkit-foo; bar=1, x-other")) {
            assertThat(c.response().headers().get("Sec-WebSocket-Extensions")).isNull();
            c.echoText("plain");
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("after a failed handshake no WebSocket frame is ever sent")
    void noFramesAfterRejection() throws IOException {
        assumeTrue(target.isLoomsocket(), "views and the RFC's 426 choice are ours");
        try (RawClient c = RawClient.connect(target.port())) {
            HttpHead r = c.handshake(request("GET " + target.requirePath() + " HTTP/1.1", "Host: 127.0.0.1",
                "Upgrade: websocket", "Connection: Upgrade", KEY, "Sec-WebSocket-Version: 8"));
            assertThat(r.status()).isEqualTo(426);
            assertThat(r.headers().get("Sec-WebSocket-Accept")).isNull();
        }
    }
}
