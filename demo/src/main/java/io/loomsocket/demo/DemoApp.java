package io.loomsocket.demo;

import static io.loomsocket.web.Views.path;

import io.loomsocket.channels.ChannelLayer;
import io.loomsocket.demo.chat.ChatViews;
import io.loomsocket.server.HttpServer;
import io.loomsocket.web.Middleware;
import io.loomsocket.web.Response;
import io.loomsocket.web.Settings;
import io.loomsocket.web.SettingsException;
import io.loomsocket.web.UrlPattern;
import io.loomsocket.web.Views;
import io.loomsocket.web.WebApp;
import io.loomsocket.web.auth.SessionMiddleware;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Runs the demo in the foreground (Django's {@code runserver}):
 * {@code java -jar loomsocket-demo.jar [--port N] [--host H] [--settings FILE]}.
 * Settings come from the file, then the environment ({@code PORT=9000}, {@code WEBSOCKET_ACCEPT_ALL=true}),
 * then the command line. Stops gracefully on SIGTERM or Ctrl-C.
 */
public final class DemoApp {
    private DemoApp() {}

    /**
     * The demo's URL patterns, tried in order (Django's {@code urlpatterns}). Add a line here to
     * add a page.
     */
    public static List<UrlPattern> urlpatterns(ChannelLayer layer) {
        Views.ScannedViews v = Views.scan(new DemoViews());
        List<UrlPattern> urls = new ArrayList<>(List.of(
                path("^$", request -> Response.redirect("/index/")),
                // browsers ask for /favicon.ico where a page names no icon (a JSON or text response)
                path("^favicon\\.ico$", request -> Response.redirect("/static/favicon.ico")),
                path("^index/$", v.get("index")),
                path("^index2/$", v.get("index2")),
                path("^echo_once$", v.get("echoOnce")),
                path("^echo$", v.get("echo"))));
        urls.addAll(new ChatViews(layer).urls()); // /chat/ and /chat/<room>/ on the channel layer
        urls.addAll(io.loomsocket.demo.auth.AuthDemo.urls()); // /secure_echo?token=...: auth before the upgrade
        urls.addAll(io.loomsocket.demo.auth.LoginViews.urls()); // /login/ and /logout/: sessions, CSRF, users
        return urls;
    }

    /** Builds the application from settings; the caller closes {@code layer} after stopping. */
    public static WebApp app(Settings settings, ChannelLayer layer) {
        WebApp app = app(settings, layer, List.of());
        app.metrics().ifPresent(m -> bindChannelLayer(m.registry(), layer));
        return app;
    }

    /** The channel layer's counters (ChannelStats) as meters, read at each scrape. */
    static void bindChannelLayer(MeterRegistry registry, ChannelLayer layer) {
        FunctionCounter.builder("loomsocket.channels.queued", layer, l -> l.stats().queued())
                .description("messages accepted into outboxes (one per recipient)").register(registry);
        FunctionCounter.builder("loomsocket.channels.delivered", layer, l -> l.stats().sent())
                .description("messages the outboxes wrote to their connections").register(registry);
        FunctionCounter.builder("loomsocket.channels.dropped", layer, l -> l.stats().dropped())
                .description("messages outboxes dropped (overflow policy, or the connection closed first)").register(registry);
        FunctionCounter.builder("loomsocket.channels.overflow.closed", layer, l -> l.stats().overflowClosed())
                .description("connections closed because their outbox overflowed").register(registry);
        FunctionCounter.builder("loomsocket.channels.publish.failed", layer, l -> l.stats().publishFailed())
                .description("messages for other servers that could not be handed to Redis").register(registry);
        FunctionCounter.builder("loomsocket.channels.remote.missed", layer, l -> l.stats().remoteMissed())
                .description("messages from other servers seen missing").register(registry);
        Gauge.builder("loomsocket.channels.redis.connected", layer, l -> l.stats().redisConnected() ? 1 : 0)
                .description("1 while the layer reaches Redis (always 1 for the memory layer)").register(registry);
        Gauge.builder("loomsocket.channels.redis.outages", layer, l -> l.stats().outages().size())
                .description("Redis outages remembered by the layer (the most recent ones)").register(registry);
        Gauge.builder("loomsocket.channels.channels", layer, l -> l.stats().channels())
                .description("connections attached to the layer").register(registry);
    }

    /** As {@link #app(Settings, ChannelLayer)}, with {@code outer} middleware first in the chain. */
    static WebApp app(Settings settings, ChannelLayer layer, List<Middleware> outer) {
        List<Middleware> chain = new ArrayList<>(outer);
        chain.addAll(io.loomsocket.demo.auth.AuthDemo.middleware()); // WebSocketMiddleware + token check
        chain.addAll(io.loomsocket.demo.auth.LoginViews.middleware(settings)); // sessions, CSRF, request.user()
        return WebApp.builder().settings(settings).urls(urlpatterns(layer)).classLoader(DemoApp.class.getClassLoader())
                .middleware(chain).build(); // the access_log setting puts the built-in access log first
    }

    /** What {@code --help} prints. */
    static final String USAGE = """
            usage: java -jar loomsocket-demo.jar [--port N] [--host H] [--settings FILE]
              --port N         TCP port (default 8000; 0 picks a free one), as PORT=N
              --host H         address to listen on (default 127.0.0.1), as LISTEN_HOST=H
              --settings FILE  a properties file of settings (see the README's settings table)
              -h, --help       this text
            Settings come from the file, then the environment (PORT=9000, ACCESS_LOG=off, ...),
            then the command line. Ctrl-C or SIGTERM stops the server gracefully.""";

    public static void main(String[] args) {
        HttpServer.preferPlatformPollers(); // a JVM-wide choice: the launcher's, before any socket
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(USAGE);
            return;
        }
        Settings settings;
        try {
            settings = settings(args);
        } catch (IllegalArgumentException | SettingsException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        ChannelLayer layer;
        HttpServer server;
        try {
            layer = ChatViews.layerFrom(settings);
        } catch (RuntimeException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
            return;
        }
        SessionMiddleware sessions;
        try {
            WebApp app = app(settings, layer);
            sessions = SessionMiddleware.of(app).orElseThrow();
            server = app.start();
        } catch (IOException | RuntimeException e) {
            layer.close();
            System.err.println("error: " + e.getMessage());
            System.exit(1);
            return;
        }
        server.whenStopped(layer::close);
        server.whenStopped(sessions::close); // a Redis session store's connection
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping (closing WebSockets with 1001)...");
            server.stop(settings.duration("shutdown.grace_period"), "SIGTERM or Ctrl-C"); // flushes the access log's last lines
            System.out.println(server.stopSummary()); // printed: java.util.logging may have closed its handlers by now
        }, "demo-shutdown"));
        String host = settings.host().equals("0.0.0.0") || settings.host().equals("::") ? "127.0.0.1" : settings.host();
        String base = (server.isSecure() ? "https" : "http") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port();
        System.out.println("loomsocket demo running. Open " + base + "/index/ in your browser");
        System.out.println("  also: " + base + "/index2/   " + base + "/chat/   (Ctrl-C to stop)");
        System.out.flush();
        server.awaitStopped();
    }

    /**
     * The demo's own defaults, replaced by a {@code --settings} file: {@code debug=true}, so that
     * it runs without a {@code SECRET_KEY} (with a random one; logins end when it stops). Set
     * {@code SECRET_KEY} to keep logins across restarts and servers.
     */
    static Properties demoDefaults() {
        Properties p = new Properties();
        p.setProperty("debug", "true");
        return p;
    }

    /**
     * The settings of the command line; the demo writes an access log to stdout unless
     * {@code access_log} / {@code ACCESS_LOG} says otherwise ({@code off} turns it off), and
     * serves metrics at {@code /metrics} to loopback clients and a health check at {@code /healthz}
     * (unless {@code health.path} names another).
     */
    static Settings settings(String[] args) {
        Settings.Builder b = Settings.builder().properties(demoDefaults(), "the demo's defaults");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> b.set("port", value(args, ++i, "--port"));
                case "--host" -> b.set("host", value(args, ++i, "--host"));
                case "--settings" -> b.propertiesFile(Path.of(value(args, ++i, "--settings")));
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
        }
        Settings s = b.set("metrics.enabled", true).build(); // /metrics, to loopback clients
        if (s.string("access_log").isEmpty()) b.set("access_log", "stdout");
        if (s.string("health.path").isEmpty()) b.set("health.path", "/healthz");
        return b.build();
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) throw new IllegalArgumentException(flag + " needs a value");
        return args[i];
    }
}
