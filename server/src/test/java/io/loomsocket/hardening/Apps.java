package io.loomsocket.hardening;

import static io.loomsocket.web.Views.acceptWebSocket;
import static io.loomsocket.web.Views.path;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.server.HttpServer;
import io.loomsocket.testing.raw.RawClient;
import io.loomsocket.web.Middleware;
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

/** Starts web apps on 127.0.0.1 and a free port with test settings (the environment ignored). */
final class Apps {
    private Apps() {}

    /** Echoes every message over WebSocket; plain HTTP gets "ok". */
    static Response echo(Request r) {
        if (!r.isWebSocket()) return Response.text("ok");
        WebSocket ws = r.websocket();
        for (Message m : ws) ws.send(m);
        return null;
    }

    static UrlPattern echoUrl() {
        return path("^echo$", acceptWebSocket(Apps::echo));
    }

    /** {@code settings} are key/value pairs of setting names and values. */
    static HttpServer start(Map<String, String> settings, List<Middleware> middleware, UrlPattern... urls) throws IOException {
        Settings.Builder s = Settings.builder().environment(Map.of()).port(0);
        settings.forEach(s::set);
        WebApp.Builder b = WebApp.builder().settings(s.build()).urls(new ArrayList<>(List.of(urls)));
        if (middleware != null) b.middleware(middleware);
        return b.build().start();
    }

    static HttpServer start(Map<String, String> settings, UrlPattern... urls) throws IOException {
        return start(settings, null, urls);
    }

    /** How long a raw client waits for the server: longer than the keepalive and write timeouts these tests set. */
    static final Duration RAW_READ_TIMEOUT = Duration.ofSeconds(10);

    /** A raw WebSocket client on {@code port}, for tests that misbehave on purpose or must see every frame. */
    static RawClient raw(int port) throws IOException {
        return RawClient.connect(port, RAW_READ_TIMEOUT);
    }
}
