package io.loomsocket.web;

import static io.loomsocket.web.Views.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.server.HttpServer;
import io.loomsocket.server.RawHttp;
import io.loomsocket.testing.IntegrationTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** metrics.enabled: known traffic, then the Prometheus scrape over HTTP, parsed strictly. */
@IntegrationTest
class MetricsTest {
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) server.stop(Duration.ofSeconds(2));
    }

    private static final UrlPattern ECHO = path("^echo$", acceptWebSocket(r -> {
        for (Message m : r.websocket()) r.websocket().send(m);
        return null;
    }));

    @Test
    void theScrapeCountsConnectionsMessagesBytesClosesAndHandshakes() throws Exception {
        WebApp app = WebApp.builder().settings(Settings.builder().environment(Map.of()).port(0).set("metrics.enabled", true).build())
                .urls(ECHO, path("^plain$", r -> Response.text("plain"))).build();
        server = app.start();
        int port = server.port();

        WebSocket a = WsTestClient.open(port, "/echo");
        WebSocket b = WsTestClient.open(port, "/echo");
        a.send("héllo");                 // 6 bytes of UTF-8
        a.send(new byte[100]);
        b.send("x".repeat(1000));
        for (WebSocket ws : List.of(a, a, b)) assertThat(ws.receive(Duration.ofSeconds(10))).isPresent();
        a.close(4001, "bye");
        assertThat(WsTestClient.connect(port, "/echo", List.of(), Map.of("Origin", "https://evil.example"), false).status()).isEqualTo(403);
        assertThat(WsTestClient.connect(port, "/plain", List.of(), Map.of(), false).status()).isEqualTo(400);

        PrometheusText m = scrapeUntil(port, t -> Double.valueOf(1).equals(t.value("loomsocket_websocket_connections")));
        assertThat(m.type("loomsocket_websocket_connections")).isEqualTo("gauge");
        assertThat(m.value("loomsocket_websocket_messages_received_total")).isEqualTo(3.0);
        assertThat(m.value("loomsocket_websocket_messages_sent_total")).isEqualTo(3.0);
        assertThat(m.value("loomsocket_websocket_received_bytes_total")).isEqualTo(1106.0);
        assertThat(m.value("loomsocket_websocket_sent_bytes_total")).isEqualTo(1106.0);
        assertThat(m.value("loomsocket_websocket_opened_total")).isEqualTo(2.0);
        assertThat(m.value("loomsocket_websocket_closes_total", Map.of("code", "4xxx"))).isEqualTo(1.0);
        assertThat(m.value("loomsocket_websocket_handshakes_accepted_total")).isEqualTo(2.0);
        assertThat(m.value("loomsocket_websocket_handshakes_refused_total", Map.of("reason", "origin", "status", "403"))).isEqualTo(1.0);
        assertThat(m.value("loomsocket_websocket_handshakes_refused_total", Map.of("reason", "not_websocket_view", "status", "400")))
                .isEqualTo(1.0);
        assertThat(m.value("loomsocket_http_connections")).isGreaterThanOrEqualTo(2.0); // b and this scrape
        assertThat(m.value("loomsocket_websocket_keepalive_timeouts_total")).isEqualTo(0.0);
        assertThat(m.samples().keySet()).allSatisfy(s -> assertThat(s.name()).startsWith("loomsocket_"));
        b.close();
    }

    @Test
    void offByDefaultWithNoListenerAndNoEndpoint() throws Exception {
        WebApp app = WebApp.builder().settings(Settings.builder().environment(Map.of()).port(0).build()).urls(ECHO).build();
        assertThat(app.metrics()).isEmpty();
        assertThat(app.webSocketConfig().listener()).isNull();
        server = app.start();
        assertThat(get(server.port(), "/metrics").status()).isEqualTo(404);
    }

    @Test
    void theParserIsStrict() {
        assertThat(PrometheusText.parse("# TYPE a counter\na_total{x=\"q\\\"\\n\\\\\"} 1.5e3 1700000000\n")
                .value("a_total", Map.of("x", "q\"\n\\"))).isEqualTo(1500.0);
        assertThatThrownBy(() -> PrometheusText.parse("a 1\n")).hasMessageContaining("before (or without) its TYPE");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a gauge\na 1\na 2\n")).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a gauge\na{x=\"\\t\"} 1\n")).hasMessageContaining("escape");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a gauge\na one\n")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a gauge\na 1")).hasMessageContaining("line feed");
    }

    private static RawHttp.Response get(int port, String path) throws Exception {
        return RawHttp.exchange(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n");
    }

    /** Scrapes until {@code ready} holds (the server notices a close a moment after the client sent it). */
    private static PrometheusText scrapeUntil(int port, Predicate<PrometheusText> ready) throws Exception {
        PrometheusText last = null;
        for (int i = 0; i < 200; i++) {
            RawHttp.Response r = get(port, "/metrics");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            last = PrometheusText.parse(r.text());
            if (ready.test(last)) return last;
            Thread.sleep(25);
        }
        return last;
    }
}
