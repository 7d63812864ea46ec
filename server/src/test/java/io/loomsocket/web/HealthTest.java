package io.loomsocket.web;

import static io.loomsocket.web.Views.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.server.HttpServer;
import io.loomsocket.server.RawHttp;
import io.loomsocket.testing.IntegrationTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** health.path and shutdown.drain_delay: the health check turns 503 before any WebSocket is closed with 1001. */
@IntegrationTest
class HealthTest {
    private static final UrlPattern ECHO = path("^echo$", acceptWebSocket(r -> {
        for (Message m : r.websocket()) r.websocket().send(m);
        return null;
    }));

    private static RawHttp.Response get(int port, String path) throws Exception {
        return RawHttp.exchange(port, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    }

    @Test
    void theHealthCheckTurns503WhileTheServerStillServesThenWebSocketsGet1001() throws Exception {
        HttpServer server = WebApp.builder().settings(Settings.builder().environment(Map.of()).port(0)
                .set("health.path", "/healthz").set("shutdown.drain_delay", "5s").set("shutdown.grace_period", "5s").build())
                .urls(ECHO).build().start();
        int port = server.port();
        try {
            RawHttp.Response ok = get(port, "/healthz");
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.text()).isEqualTo("ok");
            WebSocket ws = WsTestClient.open(port, "/echo");
            Thread stopper = Thread.ofVirtual().start(() -> server.stop(Duration.ofSeconds(5), "the test asked"));

            RawHttp.Response draining = get(port, "/healthz");
            for (int i = 0; i < 400 && draining.status() == 200; i++) {
                Thread.sleep(10);
                draining = get(port, "/healthz");
            }
            assertThat(draining.status()).isEqualTo(503);
            assertThat(draining.text()).contains("draining");
            // the load balancer has seen 503; the open WebSocket still works, and new clients are still served
            ws.send("still here");
            assertThat(ws.receive(Duration.ofSeconds(10))).contains(Message.text("still here"));
            WebSocket late = WsTestClient.open(port, "/echo");
            late.send("late");
            assertThat(late.receive(Duration.ofSeconds(10))).contains(Message.text("late"));
            // then the stop proceeds: 1001
            assertThat(ws.receive(Duration.ofSeconds(20))).isEmpty();
            assertThat(ws.closeCode().getAsInt()).isEqualTo(1001);
            stopper.join();
        } finally {
            server.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void offByDefault() throws Exception {
        HttpServer server = WebApp.builder().settings(Settings.builder().environment(Map.of()).port(0).build()).urls(ECHO).build().start();
        try {
            assertThat(get(server.port(), "/healthz").status()).isEqualTo(404);
        } finally {
            server.stop(Duration.ofSeconds(1));
        }
    }
}
