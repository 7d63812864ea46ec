package io.loomsocket.interop.servers;

import static io.loomsocket.web.Views.path;
import static io.loomsocket.web.Views.requireWebSocket;

import io.loomsocket.Message;
import io.loomsocket.channels.ChannelLayer;
import io.loomsocket.channels.ChannelLayers;
import io.loomsocket.demo.DemoApp;
import io.loomsocket.WebSocket;
import io.loomsocket.server.HttpServer;
import io.loomsocket.web.Request;
import io.loomsocket.web.Response;
import io.loomsocket.web.Settings;
import io.loomsocket.web.UrlPattern;
import io.loomsocket.web.WebApp;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Our demo server as the tests' peer, in-process on 127.0.0.1 and a free port: the demo's own URL
 * patterns ({@code /index/}, {@code /index2/}, {@code /echo_once}, {@code /echo}, the chat) with
 * an in-memory channel layer, plus one view for the matrix: {@code /close} closes with CODE and
 * REASON when it receives "close CODE REASON" (the server side of "the close handshake in both
 * directions"); other messages are echoed. {@code /proto} is the same view speaking the
 * subprotocols chat.v1 and chat.v2 (RFC 6455 §1.9).
 */
public final class OurServer implements AutoCloseable {

    public static final int MAX_MESSAGE_SIZE = 1 << 20;

    private final ChannelLayer layer = ChannelLayers.fromSetting("memory");
    private final HttpServer server;

    private OurServer(Map<String, Object> overrides) throws IOException {
        Settings.Builder b = Settings.builder().environment(Map.of()).host("127.0.0.1").port(0)
            .set("websocket.max_message_size", MAX_MESSAGE_SIZE);
        overrides.forEach(b::set);
        Settings settings = b.build();
        List<UrlPattern> urls = new ArrayList<>(DemoApp.urlpatterns(layer));
        urls.add(path("^close$", requireWebSocket(OurServer::closeOnRequest)));
        urls.add(path("^proto$", requireWebSocket(OurServer::closeOnRequest).subprotocols("chat.v1", "chat.v2")));
        try {
            server = WebApp.builder().settings(settings).urls(urls).classLoader(DemoApp.class.getClassLoader()).build().start();
        } catch (IOException | RuntimeException e) {
            layer.close();
            throw e;
        }
    }

    public static OurServer start() throws IOException {
        return new OurServer(Map.of());
    }

    /** With some settings changed, e.g. {@code websocket.ping_interval} (see the server's Settings). */
    public static OurServer start(Map<String, Object> settings) throws IOException {
        return new OurServer(settings);
    }

    static Response closeOnRequest(Request r) {
        WebSocket ws = r.websocket();
        for (Message m : ws) {
            if (m.isText() && m.text().startsWith("close ")) {
                String[] parts = m.text().split(" ", 3);
                ws.close(Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "");
                break;
            }
            ws.send(m);
        }
        return null;
    }

    public int port() { return server.port(); }

    public String url(String path) { return "ws://127.0.0.1:" + port() + path; }

    public String httpUrl(String path) { return "http://127.0.0.1:" + port() + path; }

    @Override public void close() {
        try {
            server.stop(Duration.ofSeconds(2));
        } finally {
            layer.close();
        }
    }
}
