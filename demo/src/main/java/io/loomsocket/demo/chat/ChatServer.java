package io.loomsocket.demo.chat;

import io.loomsocket.channels.ChannelLayer;
import io.loomsocket.demo.auth.LoginViews;
import io.loomsocket.server.HttpServer;
import io.loomsocket.web.Middleware;
import io.loomsocket.web.Settings;
import io.loomsocket.web.UrlPattern;
import io.loomsocket.web.WebApp;
import io.loomsocket.web.WebSocketMiddleware;
import io.loomsocket.web.auth.SessionMiddleware;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The chat alone, for running several chat servers side by side:
 * {@code java -cp ... io.loomsocket.demo.chat.ChatServer [--port N] [--settings FILE]}, with the
 * layer from {@code CHANNEL_LAYER} (or the {@code channel_layer} setting) and the demo's
 * {@code /login/} and {@code /logout/} (the chat needs a login; servers that share one chat share
 * {@code SECRET_KEY}, so that a login on one is a login on all). Prints
 * {@code listening on http://HOST:PORT/chat/} once it serves.
 */
public final class ChatServer {
    private ChatServer() {}

    public static void main(String[] args) throws IOException {
        HttpServer.preferPlatformPollers(); // a JVM-wide choice: the launcher's, before any socket
        Settings.Builder b = Settings.builder();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> b.port(Integer.parseInt(value(args, ++i, "--port")));
                case "--settings" -> b.propertiesFile(Path.of(value(args, ++i, "--settings")));
                default -> {
                    System.err.println("usage: ChatServer [--port N] [--settings FILE]   (CHANNEL_LAYER=memory|redis://host:port/db)");
                    System.exit(2);
                }
            }
        }
        Settings settings = b.build();
        ChannelLayer layer = ChatViews.layerFrom(settings);
        List<UrlPattern> urls = new ArrayList<>(new ChatViews(layer).urls());
        urls.addAll(LoginViews.urls());
        WebApp app = WebApp.builder().settings(settings).urls(urls).middleware(middleware(settings)).build();
        HttpServer server = app.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            layer.close();
            SessionMiddleware.of(app).ifPresent(SessionMiddleware::close); // a Redis session store's connection
        }, "chat-shutdown"));
        System.out.println("listening on http://" + settings.host() + ":" + server.port() + "/chat/ (channel layer: "
                + layer.getClass().getSimpleName() + ")");
        System.out.flush();
        server.awaitStopped();
    }

    /** The default chain (WebSocket handshakes) and the demo's sessions, CSRF and users. */
    static List<Middleware> middleware(Settings settings) {
        List<Middleware> chain = new ArrayList<>(List.of(new WebSocketMiddleware()));
        chain.addAll(LoginViews.middleware(settings));
        return chain;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) throw new IllegalArgumentException(flag + " needs a value");
        return args[i];
    }
}
