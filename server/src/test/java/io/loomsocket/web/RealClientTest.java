package io.loomsocket.web;

import static io.loomsocket.web.Views.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.client.WebSocketHandshakeException;
import io.loomsocket.server.HttpServer;
import io.loomsocket.testing.IntegrationTest;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server with loomsocket's own blocking client (module loomsocket-client). */
@IntegrationTest
class RealClientTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private HttpServer server;
    private String base;

    /** Refuses WebSocket requests without the session cookie, before the upgrade. */
    static final class CookieAuth implements Middleware {
        @Override
        public Optional<Response> processRequest(Request r) {
            if (r.isWebSocket() && r.cookie("session").isEmpty()) return Optional.of(Response.error(403, "log in first"));
            return Optional.empty();
        }
    }

    @BeforeEach
    void start() throws IOException {
        server = WebApp.builder()
                .settings(Settings.builder().environment(Map.of()).port(0).build())
                .middleware(new WebSocketMiddleware(), new CookieAuth())
                .urls(path("^echo$", acceptWebSocket(WebSocketViewTest::echo)),
                      path("^proto$", requireWebSocket(r -> {
                          r.websocket().send(r.websocket().subprotocol().orElse("none"));
                          r.websocket().receive();
                          return null;
                      }).subprotocols("v2", "v1")),
                      path("^plain$", r -> Response.text("plain")))
                .build().start();
        base = "ws://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(2));
    }

    private WebSocketClient.Builder client() {
        return WebSocketClient.builder().header("Cookie", "session=s1");
    }

    @Test
    void echoTextBinaryAndLargeCompressedMessages() {
        try (WebSocket ws = client().build().connect(java.net.URI.create(base + "/echo"))) {
            ws.send("caf\u00e9");
            ws.send(new byte[] {1, 2, 3});
            String big = "abc".repeat(200_000);
            ws.send(big);
            assertThat(ws.receive(WAIT)).contains(Message.text("caf\u00e9"));
            assertThat(ws.receive(WAIT)).contains(Message.binary(new byte[] {1, 2, 3}));
            assertThat(ws.receive(WAIT).orElseThrow().text()).isEqualTo(big);
            assertThat(ws.extensions()).contains("permessage-deflate");
        }
    }

    @Test
    void refusalsCarryTheirHttpStatus() {
        assertThatThrownBy(() -> WebSocketClient.connect(base + "/echo"))
                .isInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e).status()).isEqualTo(403));
        assertThatThrownBy(() -> client().build().connect(java.net.URI.create(base + "/plain")))
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e).status()).isEqualTo(400));
        assertThatThrownBy(() -> client().build().connect(java.net.URI.create(base + "/missing")))
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e).status()).isEqualTo(404));
    }

    @Test
    void subprotocolChosenFromTheClientsOffer() {
        try (WebSocket ws = client().subprotocols("v1").build().connect(java.net.URI.create(base + "/proto"))) {
            assertThat(ws.subprotocol()).contains("v1");
            assertThat(ws.receive(WAIT)).contains(Message.text("v1"));
        }
    }

    @Test
    void concurrentClientsEachGetTheirOwnEchoesInOrder() throws Exception {
        int clients = 50;
        int messages = 100;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                results.add(pool.submit(() -> {
                    try (WebSocket ws = client().build().connect(java.net.URI.create(base + "/echo"))) {
                        for (int i = 0; i < messages; i++) ws.send(id + ":" + i);
                        List<String> got = new ArrayList<>();
                        for (int i = 0; i < messages; i++) got.add(ws.receive(WAIT).orElseThrow().text());
                        return got;
                    }
                }));
            }
            for (int c = 0; c < clients; c++) {
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < messages; i++) expected.add(c + ":" + i);
                assertThat(results.get(c).get()).isEqualTo(expected);
            }
        }
    }
}
