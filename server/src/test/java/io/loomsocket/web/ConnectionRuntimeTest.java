package io.loomsocket.web;

import io.loomsocket.testing.IntegrationTest;
import static io.loomsocket.web.Views.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.connection.ConnectionRuntime;
import io.loomsocket.server.HttpServer;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A started app runs its WebSockets on a runtime of its own, whose threads end when the server stops. */
@IntegrationTest
class ConnectionRuntimeTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void theServersWebSocketThreadsEndWhenItStops() throws Exception {
        WebApp app = WebApp.builder()
                .settings(Settings.builder().environment(Map.of()).port(0).build())
                .urls(path("^echo$", acceptWebSocket(WebSocketViewTest::echo)))
                .build();
        assertThat(app.connectionRuntime()).isSameAs(ConnectionRuntime.shared());
        HttpServer server = app.start();
        ConnectionRuntime runtime = app.connectionRuntime();
        try {
            assertThat(runtime).isNotSameAs(ConnectionRuntime.shared());
            assertThat(runtime.threadsEnded()).isFalse();
            try (WebSocket ws = WebSocketClient.builder().build().connect(URI.create("ws://127.0.0.1:" + server.port() + "/echo"))) {
                ws.send("through the server's runtime");
                assertThat(ws.receive(WAIT)).contains(Message.text("through the server's runtime"));
            }
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
        assertThat(runtime.isClosed()).isTrue();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!runtime.threadsEnded() && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(runtime.threadsEnded()).as("the server's timer and flusher threads ended").isTrue();
        assertThat(app.connectionRuntime()).as("after the stop, new connections use the shared runtime")
                .isSameAs(ConnectionRuntime.shared());
    }
}
