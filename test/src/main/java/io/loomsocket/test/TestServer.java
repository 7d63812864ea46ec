package io.loomsocket.test;

import io.loomsocket.server.HttpServer;
import io.loomsocket.web.Settings;
import io.loomsocket.web.UrlPattern;
import io.loomsocket.web.WebApp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A {@link WebApp} served on a free port of 127.0.0.1 for a test, stopped by {@link #close()}.
 * {@link #client()} makes test clients that talk to it.
 *
 * <pre>{@code
 * try (TestServer server = TestServer.start(settings -> MyApp.app(settings))) {
 *     TestClient client = server.client();
 *     assertEquals(200, client.get("/").status());
 * }
 * }</pre>
 *
 * Thread-safe.
 */
public final class TestServer implements AutoCloseable {
    /** How long {@link #close()} gives open requests and WebSockets to finish (the test settings' grace period). */
    public static final Duration GRACE = Duration.ofSeconds(2);
    /** The test settings' {@code secret_key}: fixed, so sessions signed in one test server are valid in another of the same test. */
    public static final String TEST_SECRET_KEY = "loomsocket-test-kit-secret-key-for-tests-only-0123456789";

    private final WebApp app;
    private final HttpServer server;

    private TestServer(WebApp app, HttpServer server) {
        this.app = app;
        this.server = server;
    }

    /**
     * Settings for a test: the defaults without the process's environment, 127.0.0.1, a free
     * port, a two-second shutdown grace period and a fixed {@link #TEST_SECRET_KEY} for sessions.
     * Add your own with {@code set(key, value)}.
     */
    public static Settings.Builder settings() {
        return Settings.builder().environment(Map.of()).host("127.0.0.1").port(0).set("shutdown.grace_period", GRACE)
                .set("secret_key", TEST_SECRET_KEY);
    }

    /** Builds the application from the {@linkplain #settings() test settings} and starts it. */
    public static TestServer start(Function<Settings, WebApp> app) {
        return start(settings(), app);
    }

    /** Builds the application from {@code settings} (start from {@link #settings()}) and starts it. */
    public static TestServer start(Settings.Builder settings, Function<Settings, WebApp> app) {
        return start(Objects.requireNonNull(app.apply(settings.build()), "the application function returned null"));
    }

    /** An application of these URL patterns on the test settings. */
    public static TestServer start(UrlPattern... urls) {
        return start(WebApp.builder().settings(settings().build()).urls(urls).build());
    }

    /** Starts an application already built (give it {@link #settings()} so that it takes a free port). */
    public static TestServer start(WebApp app) {
        try {
            return new TestServer(app, app.start());
        } catch (IOException e) {
            throw new UncheckedIOException("the test server did not start: " + e.getMessage(), e);
        }
    }

    /** A new client with an empty cookie jar. */
    public TestClient client() {
        return new TestClient(this);
    }

    public WebApp app() {
        return app;
    }

    /** The running HTTP server (open connections, write timeouts, ...). */
    public HttpServer server() {
        return server;
    }

    public int port() {
        return server.port();
    }

    /** {@code http://127.0.0.1:PORT} ({@code https} with TLS): the Origin a browser on these pages sends. */
    public String origin() {
        return (server.isSecure() ? "https" : "http") + "://127.0.0.1:" + server.port();
    }

    /** The HTTP URI of {@code path} (with its query), e.g. {@code uri("/echo?message=hi")}. */
    public URI uri(String path) {
        if (!path.startsWith("/")) throw new IllegalArgumentException("a path starts with '/': " + path);
        return URI.create(origin() + path);
    }

    /** The WebSocket URI of {@code path}: {@code ws://} ({@code wss://} with TLS). */
    public URI webSocketUri(String path) {
        if (!path.startsWith("/")) throw new IllegalArgumentException("a path starts with '/': " + path);
        return URI.create((server.isSecure() ? "wss" : "ws") + "://127.0.0.1:" + server.port() + path);
    }

    /** Stops the server: WebSockets still open are closed with 1001, within {@link #GRACE}. Idempotent. */
    @Override
    public void close() {
        server.stop(GRACE);
    }
}
