package io.loomsocket.demo.chat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.channels.Channel;
import io.loomsocket.channels.ChannelLayer;
import io.loomsocket.channels.ChannelLayers;
import io.loomsocket.channels.HistoryLimits;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.server.HttpServer;
import io.loomsocket.testing.Await;
import io.loomsocket.testing.Chromedriver;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.RedisProcess;
import io.loomsocket.web.Request;
import io.loomsocket.web.Response;
import io.loomsocket.web.Settings;
import io.loomsocket.web.WebApp;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

import static io.loomsocket.web.Views.path;
import static io.loomsocket.web.Views.requireWebSocket;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /static/loomsocket.js} in headless Chromium (chromedriver's W3C WebDriver HTTP API)
 * against a server that is stopped and started again on the same port, with its history group
 * in a real Redis: the page reconnects, gets what was said while it was away exactly once, is
 * told the resume was complete, and sends what was typed meanwhile.
 */
@IntegrationTest
class LoomsocketJsBrowserTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String GROUP = "hist.page";
    static final String PAGE = """
            <!doctype html><html><head><meta charset="utf-8"><title>loomsocket.js</title></head><body>
            <div id="status"></div>
            <script src="/static/loomsocket.js"></script>
            <script>
            window.got = []; window.resumed = [];
            window.sock = loomsocket.connect('/page/ws', {
              initialDelay: 50, maxDelay: 500,
              onmessage: function (m) { if (m.type === 'resumed') resumed.push(m.complete); else got.push(m.text); },
              onstatus: function (s) { document.getElementById('status').textContent = s; }
            });
            </script></body></html>""";
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A server of the page: {@code /page/} and the WebSocket {@code /page/ws[?since=<id>]} of one history group. */
    static HttpServer serve(int port, ChannelLayer layer) throws IOException {
        var app = WebApp.builder()
                .settings(Settings.builder().environment(Map.of()).port(port).build())
                .urls(path("^page/$", r -> Response.html(PAGE)),
                        path("^page/ws$", requireWebSocket((Request r) -> socket(r, layer))))
                .build();
        return app.start();
    }

    static Response socket(Request request, ChannelLayer layer) {
        WebSocket ws = request.websocket();
        String since = request.query().first("since").orElse(null);
        try (Channel ch = layer.attach(ws)) {
            ch.resume(GROUP, since, complete -> Message.text("{\"type\":\"resumed\",\"complete\":" + complete + "}"));
            for (Message m : ws) layer.groupSend(GROUP, m);
        }
        return null;
    }

    static ChannelLayer layer(RedisProcess redis) {
        ChannelLayer l = ChannelLayers.fromSetting(redis.uri());
        l.keepHistory("hist.", HistoryLimits.defaults());
        return l;
    }

    @Test
    void thePageReconnectsResumesWithoutGapOrDuplicateAndSendsWhatWasTypedMeanwhile() throws Exception {
        ChannelLayer layer1 = null, layer2 = null;
        HttpServer server1 = null, server2 = null;
        try (var driver = Chromedriver.start(); var redis = RedisProcess.start()) {
            layer1 = layer(redis);
            server1 = serve(0, layer1);
            int port = server1.port();
            try (var b = driver.browser()) {
                b.open("http://127.0.0.1:" + port + "/page/");
                await(() -> b.script("return document.getElementById('status').textContent").contains("open"), "page connected");
                try (WebSocket other = WebSocketClient.connect("ws://127.0.0.1:" + port + "/page/ws")) {
                    other.send("{\"type\":\"message\",\"text\":\"one\"}");
                    await(() -> b.script("return JSON.stringify(window.got)").contains("one"), "the first message on the page");
                }

                server1.stop(Duration.ofMillis(200)); // the server goes away; Redis keeps the group's history
                layer1.close();
                await(() -> b.script("return document.getElementById('status').textContent").contains("connecting"), "the page notices");
                assertThat(b.script("return String(window.sock.send({type: 'message', text: 'typed while down'}))")).contains("true");
                layer2 = layer(redis);
                layer2.groupSend(GROUP, Message.text("{\"type\":\"message\",\"text\":\"said while away 1\"}"));
                layer2.groupSend(GROUP, Message.text("{\"type\":\"message\",\"text\":\"said while away 2\"}"));
                server2 = serve(port, layer2); // the same port: the page's next attempt finds it

                await(() -> b.script("return JSON.stringify(window.got)").contains("typed while down"), "the queued message, echoed");
                assertThat(b.script("return JSON.stringify(window.got)"))
                        .contains("[\\\"one\\\",\\\"said while away 1\\\",\\\"said while away 2\\\",\\\"typed while down\\\"]");
                // each reconnection resumed completely (the page may also have reached the stopping server once)
                assertThat(b.script("return JSON.stringify(window.resumed)")).matches(".*\\[true(,true)*\\].*");
                assertThat(b.script("return String(window.sock.connections >= 2)")).contains("true");
            }
        } finally {
            if (server2 != null) server2.stop(Duration.ofMillis(200));
            if (layer2 != null) layer2.close();
            if (server1 != null) server1.stop(Duration.ofMillis(200));
            if (layer1 != null) layer1.close();
        }
    }

    @Test
    void theScriptIsServedByAnyAppFromTheClasspath() throws Exception {
        try (var layer = ChannelLayers.fromSetting("memory")) {
            HttpServer server = serve(0, layer);
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/static/loomsocket.js")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("content-type").orElse("")).contains("javascript");
                assertThat(r.body()).contains("global.loomsocket");
            } finally {
                server.stop(Duration.ofMillis(200));
            }
        }
    }

    private static void await(Callable<Boolean> condition, String what) throws Exception {
        Await.until(WAIT, what, condition);
    }
}
