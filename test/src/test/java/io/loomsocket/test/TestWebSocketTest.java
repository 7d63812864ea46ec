package io.loomsocket.test;

import static io.loomsocket.web.Views.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.web.JsonWebSocket;
import io.loomsocket.web.Request;
import io.loomsocket.web.Response;
import io.loomsocket.web.WebApp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.core.type.TypeReference;

/** The communicator helpers against real views, and the failure messages they give when something else arrives. */
@IntegrationTest
class TestWebSocketTest {
    record Point(int x, int y) {}

    @RegisterExtension
    static final TestServerExtension server = TestServerExtension.of(settings -> WebApp.builder().settings(settings).urls(
            path("^echo$", requireWebSocket(TestWebSocketTest::echo)),
            path("^points$", requireWebSocket(r -> {
                JsonWebSocket ws = JsonWebSocket.of(r);
                for (Optional<Point> p; (p = ws.receive(Point.class)).isPresent(); ) ws.send(List.of(p.get(), p.get()));
                return null;
            })),
            path("^fail$", requireWebSocket(r -> {
                r.websocket().receive();
                throw new IllegalStateException("view bug");
            })),
            path("^bye$", requireWebSocket(r -> {
                r.websocket().send("bye");
                return null;
            })))
            .build());

    static Response echo(Request r) {
        WebSocket ws = r.websocket();
        for (Message m : ws) ws.send(m);
        return null;
    }

    @Test
    void textBytesAndJsonGoBothWays() {
        try (TestWebSocket ws = server.client().websocket("/echo")) {
            ws.sendText("h\u00e9llo");
            ws.expectText("h\u00e9llo");
            ws.sendBytes(new byte[] {1, 2, 3});
            ws.expectBytes(new byte[] {1, 2, 3});
            ws.sendBytes(new byte[] {4});
            assertThat(ws.receiveBytes()).containsExactly(4);
            ws.sendJson(new Point(1, 2));
            assertThat(ws.receiveJson(Point.class)).isEqualTo(new Point(1, 2));
            ws.sendText("any");
            assertThat(ws.receive()).isEqualTo(Message.text("any"));
            ws.receiveNothing(Duration.ofMillis(100));
            ws.close(4000, "done");
            assertThat(ws.expectClose(4000)).isEmpty();
        }
        try (TestWebSocket ws = server.client().websocket("/points")) {
            ws.sendJson(Map.of("x", 3, "y", 4));
            assertThat(ws.receiveJson(new TypeReference<List<Point>>() {})).containsExactly(new Point(3, 4), new Point(3, 4));
        }
    }

    @Test
    void failuresSayWhatArrivedInstead() {
        try (TestWebSocket ws = server.client().websocket("/echo")) {
            ws.sendBytes(new byte[] {1, 2, (byte) 0xfe});
            assertThatThrownBy(() -> ws.expectText("a")).isInstanceOf(AssertionError.class)
                    .hasMessage("expected text 'a', got binary of 3 bytes: 01 02 fe");
            ws.sendText("x");
            assertThatThrownBy(() -> ws.receiveBytes()).hasMessage("expected a binary message, got text 'x'");
            ws.sendText("y");
            assertThatThrownBy(() -> ws.receiveNothing(Duration.ofMillis(500))).hasMessage("expected nothing for 500 ms, got text 'y'");
            ws.sendText("{\"x\":\"one\"}");
            assertThatThrownBy(() -> ws.receiveJson(Point.class)).hasMessageStartingWith("expected a JSON Point, got text '{\"x\":\"one\"}': JSON does not match Point");
            ws.sendText("z");
            assertThatThrownBy(() -> ws.expectClose(1000)).hasMessage("expected close 1000, got text 'z' first");
            ws.timeout(Duration.ofMillis(200));
            assertThatThrownBy(ws::receiveText).hasMessage("expected a text message within 200 ms, nothing arrived");
            assertThatThrownBy(() -> ws.expectClose(1000)).hasMessage("expected close 1000, the connection is still open after 200 ms");
        }
    }

    @Test
    void aCloseIsReportedWithItsCodeAndReason() {
        try (TestWebSocket ws = server.client().websocket("/fail")) {
            ws.sendText("go");
            assertThatThrownBy(() -> ws.expectClose(1000))
                    .hasMessage("expected close 1000 (NORMAL), the connection closed with 1011 (INTERNAL_ERROR) 'view failed'");
        }
        try (TestWebSocket ws = server.client().websocket("/bye")) {
            ws.expectText("bye");
            assertThatThrownBy(ws::receiveText).hasMessage("expected a text message, but the connection closed with 1000 (NORMAL)");
        }
    }
}
