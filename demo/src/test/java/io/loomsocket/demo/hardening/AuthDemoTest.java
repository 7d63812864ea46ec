package io.loomsocket.demo.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.channels.ChannelLayer;
import io.loomsocket.channels.ChannelLayers;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.client.WebSocketHandshakeException;
import io.loomsocket.demo.DemoApp;
import io.loomsocket.demo.auth.AuthDemo;
import io.loomsocket.server.HttpServer;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.web.Settings;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The demo's /secure_echo: the token is checked by middleware before the upgrade (401 / 403 / 101). */
@IntegrationTest
class AuthDemoTest {
    private ChannelLayer layer;
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        layer = ChannelLayers.fromSetting("memory");
        server = DemoApp.app(Settings.builder().environment(Map.of()).port(0).set("debug", true).build(), layer).start();
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(2));
        layer.close();
    }

    private URI uri(String target) {
        return URI.create("ws://127.0.0.1:" + server.port() + target);
    }

    private int refusal(WebSocketClient client, String target) {
        try {
            client.connect(uri(target)).close();
            return 101;
        } catch (WebSocketHandshakeException e) {
            return e.status();
        }
    }

    @Test
    void noTokenIs401WrongTokenIs403BeforeAnyUpgrade() {
        WebSocketClient plain = WebSocketClient.builder().build();
        assertThat(refusal(plain, "/secure_echo")).isEqualTo(401);
        assertThat(refusal(plain, "/secure_echo?token=guess")).isEqualTo(403);
        assertThat(refusal(WebSocketClient.builder().header("Authorization", "Bearer guess").build(), "/secure_echo")).isEqualTo(403);
        assertThat(refusal(WebSocketClient.builder().header("Cookie", "session=guess").build(), "/secure_echo")).isEqualTo(403);
        // the rest of the demo is not guarded
        WebSocket open = WebSocketClient.connect("ws://127.0.0.1:" + server.port() + "/echo");
        open.send("free");
        assertThat(open.receive(Duration.ofSeconds(5))).contains(Message.text("free"));
        open.close();
    }

    @Test
    void theTokenInTheQueryAHeaderOrACookieLetsTheClientIn() {
        Map<WebSocketClient, String> ways = Map.of(
                WebSocketClient.builder().build(), "/secure_echo?token=" + AuthDemo.token(),
                WebSocketClient.builder().header("Authorization", "Bearer " + AuthDemo.token()).build(), "/secure_echo",
                WebSocketClient.builder().header("Cookie", "theme=dark; session=" + AuthDemo.token()).build(), "/secure_echo");
        ways.forEach((client, target) -> {
            WebSocket ws = client.connect(uri(target));
            ws.send("hi");
            assertThat(ws.receive(Duration.ofSeconds(5))).contains(Message.text("demo-user: hi"));
            ws.close();
            assertThat(ws.closeCode().getAsInt()).isEqualTo(1000);
        });
    }

    /** On the wire: a plain 401 with a Bearer challenge, no 101, no Sec-WebSocket-Accept. */
    @Test
    void refusalOnTheWire() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET /secure_echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 401 ").contains("WWW-Authenticate: Bearer realm=\"loomsocket demo\"")
                    .doesNotContainIgnoringCase("Sec-WebSocket-Accept");
        }
        assertThatThrownBy(() -> WebSocketClient.connect("ws://127.0.0.1:" + server.port() + "/secure_echo?token="))
                .isInstanceOf(WebSocketHandshakeException.class);
    }

    /**
     * A line terminator after the guarded path (the audit's bypass): the middleware compares the
     * path exactly and the pattern {@code ^secure_echo$} must not match it either. Refused with 400
     * before the token check or the view, never upgraded.
     */
    @Test
    void aLineTerminatorAfterTheGuardedPathIsRefusedNotUpgraded() {
        WebSocketClient plain = WebSocketClient.builder().build();
        for (String tail : new String[] {"%0A", "%0D%0A", "%0D", "%E2%80%A8", "%E2%80%A9", "%C2%85", "%00", "%09"}) {
            assertThat(refusal(plain, "/secure_echo" + tail)).as(tail).isEqualTo(400);
            assertThat(refusal(plain, "/secure_echo" + tail + "?token=guess")).as(tail).isEqualTo(400);
        }
        assertThat(refusal(plain, "/secure_echo/")).as("another path is simply not found").isEqualTo(404);
    }
}
