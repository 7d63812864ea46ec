package io.loomsocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.WebSocketException;
import io.loomsocket.WebSocketTimeoutException;
import io.loomsocket.engine.HttpHeaders;
import io.loomsocket.engine.ServerHandshake;
import io.loomsocket.testing.IntegrationTest;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client against a minimal server built on the engine's ServerHandshake, over loopback. */
@IntegrationTest
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WebSocketClientTest {

    @Test
    void echoesTextBinaryAndNonAsciiWithCompressionNegotiated() throws Exception {
        try (TestServer server = TestServer.echo();
             WebSocket ws = WebSocketClient.connect(server.uri("/echo?x=1"))) {
            assertThat(ws.extensions()).startsWith("permessage-deflate");
            String text = "Grüße, 世界! 🎉 ".repeat(50);
            ws.send(text);
            assertThat(ws.receive().orElseThrow().text()).isEqualTo(text);
            byte[] bin = new byte[70_000];
            for (int i = 0; i < bin.length; i++) bin[i] = (byte) (i * 31);
            ws.send(bin);
            assertThat(ws.receive().orElseThrow().bytes()).isEqualTo(bin);
            ws.send("short");
            assertThat(ws.receive()).contains(Message.text("short"));
            assertThat(server.requests.peek().get("Host")).isEqualTo("127.0.0.1:" + server.port());
        }
    }

    @Test
    void compressionCanBeTurnedOff() throws Exception {
        try (TestServer server = TestServer.echo();
             WebSocket ws = WebSocketClient.builder().compression(false).build().connect(URI.create(server.uri("/")))) {
            assertThat(ws.extensions()).isEmpty();
            assertThat(server.requests.peek().contains("Sec-WebSocket-Extensions")).isFalse();
            ws.send("plain");
            assertThat(ws.receive()).contains(Message.text("plain"));
        }
    }

    @Test
    void rfc6455_4_1_subprotocolsAndExtraHeadersAreSent() throws Exception {
        try (TestServer server = TestServer.start(List.of("chat.v1"), WebSocketConfig.defaults(), ws -> { });
             WebSocket ws = WebSocketClient.builder().subprotocols("chat.v2", "chat.v1")
                     .header("Origin", "http://127.0.0.1").header("X-Token", "abc").build()
                     .connect(URI.create(server.uri("/chat")))) {
            assertThat(ws.subprotocol()).contains("chat.v1");
            HttpHeaders req = server.requests.peek();
            assertThat(req.get("X-Token")).isEqualTo("abc");
            assertThat(req.get("Origin")).isEqualTo("http://127.0.0.1");
            assertThat(req.tokens("Sec-WebSocket-Protocol")).containsExactly("chat.v2", "chat.v1");
            // the handler returned: the server closed with 1000 and the client sees the end
            assertThat(ws.receive()).isEmpty();
            assertThat(ws.closeCode()).hasValue(1000);
        }
    }

    @Test
    void aRefusedHandshakeReportsTheHttpStatus() throws Exception {
        try (TestServer server = TestServer.raw(h -> "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")) {
            assertThatThrownBy(() -> WebSocketClient.connect(server.uri("/")))
                    .isInstanceOfSatisfying(WebSocketHandshakeException.class, e -> {
                        assertThat(e.status()).isEqualTo(403);
                        assertThat(e.getMessage()).contains("403 Forbidden");
                    });
        }
    }

    @Test
    void errorsNeverPrintTheUserInfoOrTheQueryOfTheUri() throws Exception {
        try (TestServer server = TestServer.raw(h -> "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")) {
            String uri = server.uri("/secure?token=hunter2").replace("ws://", "ws://user:hunter2@");
            assertThatThrownBy(() -> WebSocketClient.connect(uri))
                    .isInstanceOf(WebSocketHandshakeException.class)
                    .hasMessageContaining("/secure?...").hasMessageNotContaining("hunter2").hasMessageNotContaining("user");
        }
        assertThatThrownBy(() -> WebSocketClient.connect("http://user:hunter2@127.0.0.1/x?token=hunter2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("hunter2");
    }

    @Test
    void rfc6455_4_1_aWrongAcceptValueIsRejected() throws Exception {
        try (TestServer server = TestServer.raw(h -> "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + ServerHandshake.acceptKey("AAAAAAAAAAAAAAAAAAAAAA==")
                + "\r\n\r\n")) {
            assertThatThrownBy(() -> WebSocketClient.connect(server.uri("/")))
                    .isInstanceOfSatisfying(WebSocketHandshakeException.class, e -> assertThat(e.status()).isEqualTo(101));
        }
    }

    @Test
    void rfc6455_4_1_anUnrequestedSubprotocolIsRejected() throws Exception {
        try (TestServer server = TestServer.raw(h -> "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + ServerHandshake.acceptKey(h.get("Sec-WebSocket-Key"))
                + "\r\nSec-WebSocket-Protocol: evil\r\n\r\n")) {
            assertThatThrownBy(() -> WebSocketClient.builder().subprotocols("good").build().connect(URI.create(server.uri("/"))))
                    .isInstanceOf(WebSocketHandshakeException.class).hasMessageContaining("evil");
        }
    }

    @Test
    void aSilentServerHitsTheHandshakeTimeout() throws Exception {
        try (TestServer server = TestServer.raw(h -> null)) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> WebSocketClient.builder().handshakeTimeout(Duration.ofMillis(300)).build()
                    .connect(URI.create(server.uri("/"))))
                    .isInstanceOf(WebSocketTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
        }
    }

    @Test
    void aClosedPortIsAClearError() throws Exception {
        int port;
        try (ServerSocket ss = TestServer.bind()) {
            port = ss.getLocalPort();
        }
        assertThatThrownBy(() -> WebSocketClient.connect("ws://127.0.0.1:" + port + "/"))
                .isInstanceOf(WebSocketException.class).hasCauseInstanceOf(ConnectException.class);
    }

    @Test
    void badUrisAreRefused() {
        assertThatThrownBy(() -> WebSocketClient.connect("http://127.0.0.1/")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebSocketClient.connect("ws://127.0.0.1/#frag")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebSocketClient.builder().header("Sec-WebSocket-Key", "x").build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void framesSentRightAfterThe101AreNotLost() throws Exception {
        // the server greets immediately; its first frame may arrive in the same read as the 101
        try (TestServer server = TestServer.start(List.of(), WebSocketConfig.defaults(), ws -> {
                 ws.send("welcome");
                 for (var m : ws) ws.send(m);
             });
             WebSocket ws = WebSocketClient.connect(server.uri("/"))) {
            assertThat(ws.receive()).contains(Message.text("welcome"));
            ws.close(4000, "bye");
            assertThat(ws.closeCode()).hasValue(4000);
        }
    }
}
