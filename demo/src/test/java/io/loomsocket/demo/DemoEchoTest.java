package io.loomsocket.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.channels.ChannelLayer;
import io.loomsocket.channels.ChannelLayers;
import io.loomsocket.test.MisbehavingPeer;
import io.loomsocket.test.TestClient;
import io.loomsocket.test.TestServerExtension;
import io.loomsocket.test.TestWebSocket;
import io.loomsocket.testing.IntegrationTest;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The seed's echo views, through the test kit: the demo is the kit's first user. */
@IntegrationTest
class DemoEchoTest {
    private static final ChannelLayer layer = ChannelLayers.fromSetting("memory");

    @RegisterExtension
    static final TestServerExtension server = TestServerExtension.of(settings -> DemoApp.app(settings, layer));

    @AfterAll
    static void closeLayer() {
        layer.close();
    }

    @Test
    void echoOverWebSocketKeepsTextAndBinaryApart() {
        try (TestWebSocket ws = server.client().websocket("/echo")) {
            ws.sendText("gr\u00fc\u00df dich \uD83D\uDC4B");
            ws.sendBytes(new byte[] {0, 1, 2, (byte) 0xfe});
            ws.sendText("third");
            ws.expectText("gr\u00fc\u00df dich \uD83D\uDC4B");
            ws.expectBytes(new byte[] {0, 1, 2, (byte) 0xfe});
            ws.expectText("third");
            ws.receiveNothing(Duration.ofMillis(100));
            ws.close();
            ws.expectClose(1000);
        }
    }

    @Test
    void echoOnceAnswersOnceThenCloses() {
        try (TestWebSocket ws = server.client().websocket("/echo_once")) {
            ws.sendText("just this");
            ws.expectText("just this");
            ws.expectClose(1000);
        }
    }

    @Test
    void echoOverPlainHttp() {
        TestClient client = server.client();
        assertThat(client.get("/echo?message=hello%20world").text()).isEqualTo("hello world");
        var page = client.get("/echo");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text()).contains("send_message");
        assertThat(client.get("/echo_once").status()).isEqualTo(400);
        assertThat(client.get("/nowhere").status()).isEqualTo(404);
        client.expectWebSocketRefused("/index/", 400);
    }

    @Test
    void echoClosesAPeerThatSendsInvalidUtf8With1007() {
        try (MisbehavingPeer peer = server.client().misbehaving("/echo")) {
            peer.sendText("fine");
            assertThat(peer.receiveText()).isEqualTo("fine");
            peer.sendInvalidUtf8();
            peer.expectClose(1007);
        }
    }
}
