package io.loomsocket.web;

import static io.loomsocket.web.Views.path;
import static io.loomsocket.web.Views.requireWebSocket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.server.HttpServer;
import io.loomsocket.server.RawHttp;
import io.loomsocket.testing.IntegrationTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the web layer refuses before any middleware runs (a foreign Host, a path with a line
 * terminator), and the headers and static-file rules that keep browsers safe.
 */
@IntegrationTest
class WebSecurityTest {
    private static final String HANDSHAKE = "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

    private HttpServer server;

    @TempDir
    Path dir;

    /** Counts the requests that reached the middleware chain. */
    private final AtomicInteger reachedMiddleware = new AtomicInteger();

    private int start(Settings.Builder settings, UrlPattern... urls) throws IOException {
        Middleware counter = new Middleware() {
            @Override
            public Optional<Response> processRequest(Request request) {
                reachedMiddleware.incrementAndGet();
                return Optional.empty();
            }
        };
        server = WebApp.builder().settings(settings.environment(Map.of()).port(0).build()).urls(urls)
                .middleware(counter, new WebSocketMiddleware()).build().start();
        return server.port();
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(Duration.ofSeconds(2));
    }

    private static RawHttp.Response get(int port, String target, String host) throws IOException {
        return RawHttp.exchange(port, "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    }

    // ---- the path: no control characters, patterns match the whole of it ----

    /** Java's {@code $} matches before a final line terminator; a pattern ending in {@code $} must match the whole path. */
    @Test
    void aPatternEndingInDollarMatchesTheWholePath() {
        UrlPattern secure = UrlPattern.of("^secure_echo$", r -> Response.text("x"), null);
        assertThat(secure.match("/secure_echo")).isPresent();
        for (String tail : List.of("\n", "\r\n", "\u2028", "\u2029", "\u0085", "\r")) {
            assertThat(secure.match("/secure_echo" + tail)).as("tail %s", tail.codePointAt(0)).isEmpty();
        }
        // a pattern without a final $ is searched (a prefix); an escaped \$ is a literal dollar
        assertThat(UrlPattern.of("^static/", r -> null, null).match("/static/a/b.css")).isPresent();
        assertThat(UrlPattern.of("^price\\$", r -> null, null).match("/price$10")).isPresent();
        assertThat(UrlPattern.of("^(?<room>[a-z]+)/$", r -> null, null).match("/lobby/")).contains(Map.of("room", "lobby"));
    }

    @Test
    void aPathWithAControlCharacterOrLineSeparatorIs400BeforeAnyMiddleware() throws IOException {
        int port = start(Settings.builder(), path("^secure_echo$", r -> Response.text("view ran")),
                path("^open/(?<rest>.*)", r -> Response.text("open " + r.pathParam("rest"))));
        for (String evil : List.of("%0A", "%0D%0A", "%0D", "%00", "%09", "%1F", "%7F", "%C2%85", "%C2%9F", "%E2%80%A8", "%E2%80%A9")) {
            var r = get(port, "/secure_echo" + evil, "localhost");
            assertThat(r.status()).as(evil).isEqualTo(400);
            assertThat(r.text()).as(evil).doesNotContain("view ran");
            assertThat(get(port, "/open/a" + evil + "b", "localhost").status()).as(evil).isEqualTo(400);
        }
        assertThat(reachedMiddleware).as("no refused path reached the middleware").hasValue(0);
        // printable non-ASCII is fine
        assertThat(get(port, "/open/caf%C3%A9%20x", "localhost").text()).isEqualTo("open caf\u00e9 x");
        assertThat(get(port, "/secure_echo", "localhost").text()).isEqualTo("view ran");
    }

    // ---- allowed_hosts ----

    @Test
    void theDefaultAllowsOnlyLoopbackNames() throws IOException {
        int port = start(Settings.builder(), path("^ok$", r -> Response.text("ok")));
        for (String host : List.of("localhost", "LOCALHOST:" + port, "127.0.0.1:" + port, "[::1]:" + port, "localhost.")) {
            assertThat(get(port, "/ok", host).text()).as(host).isEqualTo("ok");
        }
        for (String host : List.of("attacker.example:" + port, "attacker.example", "localhost.attacker.example", "127.0.0.2",
                "[::2]", "evil-localhost")) {
            var r = get(port, "/ok", host);
            assertThat(r.status()).as(host).isEqualTo(400);
            assertThat(r.text()).as(host).contains("Host not allowed").doesNotContain(host);
        }
        assertThat(reachedMiddleware).as("refused before any middleware").hasValue(5);
        // RFC 9112 §3.2.2: an absolute-form target's authority is the host asked for, whatever Host says
        assertThat(RawHttp.exchange(port, "GET http://attacker.example/ok HTTP/1.1\r\nHost: localhost\r\n\r\n").status()).isEqualTo(400);
        assertThat(RawHttp.exchange(port, "GET http://localhost/ok HTTP/1.1\r\nHost: attacker.example\r\n\r\n").text()).isEqualTo("ok");
        // HTTP/1.0 without Host names no host: served (no browser sends such a request)
        assertThat(RawHttp.exchange(port, "GET /ok HTTP/1.0\r\n\r\n").text()).isEqualTo("ok");
    }

    /** DNS rebinding: the attacker's page, its name re-pointed at 127.0.0.1, is same-origin with itself; Host stops it. */
    @Test
    void aRebindingHandshakeIsRefusedBeforeTheUpgrade() throws IOException {
        AtomicInteger views = new AtomicInteger();
        int port = start(Settings.builder(), path("^ws$", requireWebSocket(r -> {
            views.incrementAndGet();
            return null;
        })));
        String host = "attacker.example:" + port;
        try (RawHttp c = new RawHttp(port)) {
            var r = c.send("GET /ws HTTP/1.1\r\nHost: " + host + "\r\nOrigin: http://" + host + "\r\n" + HANDSHAKE + "\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.header("upgrade")).isNull();
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(views).hasValue(0);
        try (RawHttp c = new RawHttp(port)) {
            String self = "127.0.0.1:" + port;
            assertThat(c.send("GET /ws HTTP/1.1\r\nHost: " + self + "\r\nOrigin: http://" + self + "\r\n" + HANDSHAKE + "\r\n").read().status())
                    .isEqualTo(101);
        }
    }

    @Test
    void listedNamesSubdomainsAndStar() throws IOException {
        int port = start(Settings.builder().set("allowed_hosts", "example.com, .example.org,[2001:db8::1]"), path("^ok$", r -> Response.text("ok")));
        for (String ok : List.of("example.com", "EXAMPLE.com:8080", "example.org", "a.b.example.org", "[2001:db8::1]:80")) {
            assertThat(get(port, "/ok", ok).status()).as(ok).isEqualTo(200);
        }
        for (String no : List.of("a.example.com", "example.org.evil", "badexample.org", "localhost", "127.0.0.1", "[2001:db8::2]")) {
            assertThat(get(port, "/ok", no).status()).as(no).isEqualTo(400);
        }
        server.stop(Duration.ofSeconds(2));
        port = start(Settings.builder().set("allowed_hosts", "*"), path("^ok$", r -> Response.text("ok")));
        assertThat(get(port, "/ok", "anything.example:1").status()).isEqualTo(200);
    }

    @Test
    void allowedHostsFromTheEnvironmentAndMalformedEntries() {
        Settings s = Settings.builder().environment(Map.of("ALLOWED_HOSTS", ".example.com,localhost")).build();
        assertThat(s.string("allowed_hosts")).isEqualTo(".example.com,localhost");
        for (String bad : List.of("example.com:80", "http://example.com", "a b", "..example.com", "user@example.com")) {
            assertThatThrownBy(() -> Settings.builder().environment(Map.of()).set("allowed_hosts", bad).build()).as(bad)
                    .isInstanceOf(SettingsException.class).hasMessageContaining("allowed_hosts");
        }
    }

    // ---- security headers ----

    @Test
    void securityHeadersOnEveryResponseButThe101() throws IOException {
        int port = start(Settings.builder(), path("^ok$", r -> Response.html("<p>ok</p>")),
                path("^own$", r -> Response.text("own").header("X-Frame-Options", "SAMEORIGIN")),
                path("^ws$", requireWebSocket(r -> null)));
        for (String target : List.of("/ok", "/nothing", "/static/app.js", "/bad%0A", "/own")) {
            var r = get(port, target, "localhost");
            assertThat(r.header("x-content-type-options")).as(target).isEqualTo("nosniff");
            assertThat(r.header("x-frame-options")).as(target).isEqualTo(target.equals("/own") ? "SAMEORIGIN" : "DENY");
            assertThat(r.header("referrer-policy")).as(target).isEqualTo("same-origin");
        }
        var refusedHost = get(port, "/ok", "attacker.example");
        assertThat(refusedHost.header("x-frame-options")).isEqualTo("DENY");
        try (RawHttp c = new RawHttp(port)) {
            var r = c.send("GET /ws HTTP/1.1\r\nHost: localhost\r\n" + HANDSHAKE + "\r\n").read();
            assertThat(r.status()).isEqualTo(101);
            assertThat(r.headers()).doesNotContainKeys("x-content-type-options", "x-frame-options", "referrer-policy");
        }
    }

    @Test
    void securityHeadersCanBeChangedOrTurnedOff() throws IOException {
        int port = start(Settings.builder().set("x_frame_options", "sameorigin").set("secure_referrer_policy", "no-referrer, strict-origin"),
                path("^ok$", r -> Response.text("ok")));
        var r = get(port, "/ok", "localhost");
        assertThat(r.header("x-frame-options")).isEqualTo("SAMEORIGIN");
        assertThat(r.header("referrer-policy")).isEqualTo("no-referrer, strict-origin");
        server.stop(Duration.ofSeconds(2));
        port = start(Settings.builder().set("x_frame_options", "").set("secure_referrer_policy", "")
                .set("secure_content_type_nosniff", false), path("^ok$", r2 -> Response.text("ok")));
        r = get(port, "/ok", "localhost");
        assertThat(r.headers()).doesNotContainKeys("x-content-type-options", "x-frame-options", "referrer-policy");
        assertThatThrownBy(() -> Settings.builder().environment(Map.of("X_FRAME_OPTIONS", "ALLOW-FROM x")).build())
                .isInstanceOf(SettingsException.class).hasMessageContaining("x_frame_options");
        assertThatThrownBy(() -> Settings.builder().environment(Map.of("SECURE_REFERRER_POLICY", "sometimes")).build())
                .isInstanceOf(SettingsException.class).hasMessageContaining("secure_referrer_policy");
    }

    // ---- static files: hidden files, dates ----

    @Test
    void hiddenStaticFilesAre404UnlessAllowed() throws IOException {
        Path root = Files.createDirectories(dir.resolve("public"));
        Files.writeString(root.resolve(".env"), "SECRET=1");
        Files.createDirectories(root.resolve(".git"));
        Files.writeString(root.resolve(".git").resolve("config"), "[core]");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub").resolve(".htpasswd"), "u:p");
        Files.writeString(root.resolve("visible.txt"), "fine");
        boolean links;
        try {
            Files.createSymbolicLink(root.resolve("env.txt"), root.resolve(".env"));
            links = true;
        } catch (UnsupportedOperationException | IOException e) {
            links = false;
        }
        int port = start(Settings.builder().set("static.dir", root.toString()));
        for (String hidden : List.of("/static/.env", "/static/.git/config", "/static/sub/.htpasswd", "/static/%2eenv", "/static/.git%2fconfig")) {
            var r = get(port, hidden, "localhost");
            assertThat(r.status()).as(hidden).isEqualTo(404);
            assertThat(r.text()).as(hidden).doesNotContain("SECRET", "[core]", "u:p");
        }
        if (links) assertThat(get(port, "/static/env.txt", "localhost").status()).as("a link to a hidden file").isEqualTo(404);
        assertThat(get(port, "/static/visible.txt", "localhost").text()).isEqualTo("fine");
        server.stop(Duration.ofSeconds(2));
        port = start(Settings.builder().set("static.dir", root.toString()).set("static.allow_hidden", true));
        assertThat(get(port, "/static/.env", "localhost").text()).isEqualTo("SECRET=1");
        assertThat(get(port, "/static/.git/config", "localhost").text()).isEqualTo("[core]");
    }

    /** RFC 9110 §5.6.7: IMF-fixdate has a two-digit day ({@code 02}, not {@code 2}). */
    @Test
    void lastModifiedAndDateAreImfFixdates() throws IOException {
        Path root = Files.createDirectories(dir.resolve("dated"));
        Path file = Files.writeString(root.resolve("a.txt"), "a");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-12-02T03:04:05Z")));
        int port = start(Settings.builder().set("static.dir", root.toString()));
        var r = get(port, "/static/a.txt", "localhost");
        assertThat(r.header("last-modified")).isEqualTo("Wed, 02 Dec 2026 03:04:05 GMT");
        assertThat(r.header("date")).matches(Pattern.compile("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"));
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-09-07T23:59:59Z")));
        assertThat(get(port, "/static/a.txt", "localhost").header("last-modified")).isEqualTo("Mon, 07 Sep 2026 23:59:59 GMT");
    }

    /** Response splitting: a header value with CR or LF never reaches the wire, whatever a view puts in it. */
    @Test
    void aViewCannotSplitTheResponseWithCrOrLf() throws IOException {
        int port = start(Settings.builder(),
                path("^go$", r -> Response.redirect(r.query().get("to", "/"))),
                path("^set$", r -> Response.text("x").header("X-Echo", r.query().get("v", ""))));
        for (String target : List.of("/go?to=/x%0D%0ASet-Cookie:%20evil=1", "/go?to=/x%0ASet-Cookie:%20evil=1",
                "/set?v=a%0D%0AX-Injected:%201", "/set?v=a%00b")) {
            try (RawHttp c = new RawHttp(port)) {
                c.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
                String wire = new String(c.readRest(), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(wire).as(target).startsWith("HTTP/1.1 500 ").doesNotContainIgnoringCase("set-cookie")
                        .doesNotContain("X-Injected", "Exception", "\tat ");
            }
        }
    }
}
