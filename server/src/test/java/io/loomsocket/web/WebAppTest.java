package io.loomsocket.web;

import static io.loomsocket.web.Views.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.server.HttpException;
import io.loomsocket.server.HttpServer;
import io.loomsocket.server.RawHttp;
import io.loomsocket.testing.IntegrationTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web layer over real sockets: URL patterns, requests, responses, decorators, middleware, templates, static files. */
@IntegrationTest
class WebAppTest {
    private HttpServer server;

    @TempDir
    Path dir;

    private int start(Settings.Builder settings, List<Middleware> middleware, UrlPattern... urls) throws IOException {
        WebApp.Builder b = WebApp.builder().settings(settings.environment(Map.of()).port(0).build()).urls(urls);
        if (middleware != null) b.middleware(middleware);
        server = b.build().start();
        return server.port();
    }

    private int start(UrlPattern... urls) throws IOException {
        return start(Settings.builder(), null, urls);
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(java.time.Duration.ofSeconds(2));
    }

    private static RawHttp.Response get(int port, String target) throws IOException {
        return RawHttp.exchange(port, "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    }

    @Test
    void patternsAreTriedInOrderWithNamedGroupsAnd404() throws IOException {
        int port = start(
                path("^rooms/(?<room>[a-z]+)/$", r -> Response.text("room " + r.pathParam("room"))),
                path("^rooms/(?<any>.+)/$", r -> Response.text("fallback " + r.pathParams())),
                path("^caf\u00e9$", r -> Response.text("decoded")));
        assertThat(get(port, "/rooms/lobby/").text()).isEqualTo("room lobby");
        assertThat(get(port, "/rooms/Lobby1/").text()).isEqualTo("fallback {any=Lobby1}");
        assertThat(get(port, "/caf%C3%A9").text()).isEqualTo("decoded");
        var missing = get(port, "/nothing");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.text()).contains("/nothing");
        assertThat(get(port, "/bad%zz").status()).isEqualTo(400);
    }

    @Test
    void requestGivesQueryFormCookiesHeadersAndBody() throws IOException {
        int port = start(path("^echo$", r -> Response.json(Map.of(
                "method", r.method(),
                "q", r.query().all("q"),
                "name", r.form().get("name", "-"),
                "param", r.param("name").orElse("-"),
                "cookie", r.cookie("session").orElse("-"),
                "agent", r.header("User-Agent").orElse("-"),
                "websocket", r.isWebSocket(),
                "body", r.bodyText()))));
        var r = RawHttp.exchange(port, "POST /echo?q=a+b&q=%C3%A9 HTTP/1.1\r\nHost: localhost\r\nUser-Agent: t\r\n"
                + "Cookie: theme=dark; session=\"abc\"\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 15\r\n\r\nname=J%C3%BCrg+");
        assertThat(r.header("content-type")).isEqualTo("application/json");
        assertThat(r.text()).contains("\"q\":[\"a b\",\"\u00e9\"]", "\"name\":\"J\u00fcrg \"", "\"param\":\"J\u00fcrg \"",
                "\"cookie\":\"abc\"", "\"agent\":\"t\"", "\"websocket\":false", "\"method\":\"POST\"");
    }

    @Test
    void responseFactories() throws IOException {
        Path file = Files.writeString(dir.resolve("note.txt"), "from disk");
        int port = start(
                path("^html$", r -> Response.html("<b>hi</b>")),
                path("^redirect$", r -> Response.redirect("/html")),
                path("^file$", r -> Response.file(file)),
                path("^status$", r -> Response.status(204).header("X-Why", "because")),
                path("^cookie$", r -> Response.text("c").setCookie("session", "xyz")),
                path("^stream$", r -> Response.streaming("text/plain", out -> {
                    out.write("a".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    out.write("b".getBytes(StandardCharsets.UTF_8));
                })),
                path("^json$", r -> Response.json(List.of(new Point(1, 2), "</script>"))),
                path("^teapot$", r -> { throw new HttpException(418, "short and stout"); }));
        assertThat(get(port, "/html").header("content-type")).isEqualTo("text/html; charset=utf-8");
        var redirect = get(port, "/redirect");
        assertThat(redirect.status()).isEqualTo(302);
        assertThat(redirect.header("location")).isEqualTo("/html");
        var f = get(port, "/file");
        assertThat(f.text()).isEqualTo("from disk");
        assertThat(f.header("content-type")).isEqualTo("text/plain; charset=utf-8");
        assertThat(f.header("last-modified")).isNotBlank();
        var s = get(port, "/status");
        assertThat(s.status()).isEqualTo(204);
        assertThat(s.header("x-why")).isEqualTo("because");
        assertThat(get(port, "/cookie").header("set-cookie")).isEqualTo("session=xyz; Path=/; HttpOnly; SameSite=Lax");
        var stream = get(port, "/stream");
        assertThat(stream.header("transfer-encoding")).isEqualTo("chunked");
        assertThat(stream.text()).isEqualTo("ab");
        assertThat(get(port, "/json").text()).isEqualTo("[{\"x\":1,\"y\":2},\"<\\/script>\"]");
        assertThat(get(port, "/teapot").status()).isEqualTo(418);
    }

    record Point(int x, int y) {}

    /**
     * A view cannot pass a response off as the upgraded outcome of a WebSocket request: a 101 is
     * not a response a view can build (RFC 9110 §15.2), so the client gets a 500, not silence.
     */
    @Test
    void aViewsOwn101IsRefusedNotTakenForAnUpgrade() throws IOException {
        assertThatThrownBy(() -> Response.status(101)).isInstanceOf(IllegalArgumentException.class);
        int port = start(path("^fake$", r -> Response.status(101)), path("^ok$", r -> Response.text("ok")));
        assertThat(get(port, "/fake").status()).isEqualTo(500);
        assertThat(get(port, "/ok").text()).isEqualTo("ok");
    }

    @Test
    void viewExceptionIs500AndNullResponseIs500() throws IOException {
        int port = start(path("^boom$", r -> { throw new IllegalStateException("secret detail"); }), path("^null$", r -> null));
        var boom = get(port, "/boom");
        assertThat(boom.status()).isEqualTo(500);
        assertThat(boom.text()).doesNotContain("secret detail", "IllegalStateException", "\tat ");
        assertThat(get(port, "/null").status()).isEqualTo(500);
    }

    @Test
    void decoratorsRefuseTheWrongKindOfRequest() throws IOException {
        int port = start(
                path("^ws$", requireWebSocket(r -> Response.text("never"))),
                path("^both$", acceptWebSocket(r -> Response.text("plain ok"))),
                path("^post$", requireMethods(r -> Response.text("posted"), "POST")));
        var ws = get(port, "/ws");
        assertThat(ws.status()).isEqualTo(400);
        assertThat(ws.text()).contains("WebSocket");
        assertThat(get(port, "/both").text()).isEqualTo("plain ok");
        var notAllowed = get(port, "/post");
        assertThat(notAllowed.status()).isEqualTo(405);
        assertThat(notAllowed.header("allow")).isEqualTo("POST");
        assertThat(RawHttp.exchange(port, "POST /post HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n").text()).isEqualTo("posted");
    }

    public static class AnnotatedViews {
        public Response plain(Request r) {
            return Response.text("plain");
        }

        @RequireWebSocket(subprotocols = "chat.v1")
        public void chat(Request r) {
            r.websocket().send("hi");
        }

        @AcceptWebSocket
        public Response echo(Request r) {
            return Response.text("echo " + r.query().get("message", ""));
        }

        public String notAView(Request r) {
            return "";
        }
    }

    @Test
    void scanningReadsTheAnnotations() throws IOException {
        var views = Views.scan(new AnnotatedViews());
        assertThat(views.views().keySet()).containsExactly("chat", "echo", "plain");
        assertThat(Views.webSocketMarking(views.get("plain"))).isNull();
        assertThat(Views.webSocketMarking(views.get("chat")).mode()).isEqualTo(WebSocketView.Mode.REQUIRE);
        assertThat(Views.webSocketMarking(views.get("chat")).subprotocols()).containsExactly("chat.v1");
        assertThat(Views.webSocketMarking(views.get("echo")).mode()).isEqualTo(WebSocketView.Mode.ACCEPT);
        int port = start(path("^chat$", views.get("chat")), path("^echo$", views.get("echo")), path("^plain$", views.get("plain")));
        assertThat(get(port, "/chat").status()).isEqualTo(400);
        assertThat(get(port, "/echo?message=x").text()).isEqualTo("echo x");
        assertThat(get(port, "/plain").text()).isEqualTo("plain");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> views.get("missing")).hasMessageContaining("chat, echo, plain");
    }

    public static class BadViews {
        @AcceptWebSocket
        @RequireWebSocket
        public void both(Request r) { }
    }

    @Test
    void scanningRejectsContradictoryAnnotations() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Views.scan(new BadViews()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both");
    }

    /** Records each hook call, and can refuse or rescue. */
    static final class Recorder implements Middleware {
        final String name;
        final List<String> log;

        Recorder(String name, List<String> log) {
            this.name = name;
            this.log = log;
        }

        @Override
        public Optional<Response> processRequest(Request r) {
            log.add(name + ".request");
            if (r.path().equals("/refuse-" + name)) return Optional.of(Response.error(403, "refused by " + name));
            return Optional.empty();
        }

        @Override
        public Optional<Response> processView(Request r, View v) {
            log.add(name + ".view");
            return Optional.empty();
        }

        @Override
        public Optional<Response> processException(Request r, Exception e) {
            log.add(name + ".exception");
            return name.equals("outer") ? Optional.of(Response.text(409, "rescued " + e.getMessage())) : Optional.empty();
        }

        @Override
        public Response processResponse(Request r, Response resp) {
            log.add(name + ".response");
            return resp.header("X-" + name, "seen");
        }
    }

    @Test
    void middlewareRunsInDjangoOrder() throws IOException {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        int port = start(Settings.builder(), List.of(new Recorder("outer", log), new Recorder("inner", log)),
                path("^ok$", r -> {
                    log.add("view");
                    return Response.text("ok");
                }),
                path("^fail$", r -> { throw new IllegalStateException("bad"); }));
        var ok = get(port, "/ok");
        assertThat(ok.header("x-outer")).isEqualTo("seen");
        assertThat(log).containsExactly("outer.request", "inner.request", "outer.view", "inner.view", "view",
                "inner.response", "outer.response");

        log.clear();
        var refused = get(port, "/refuse-outer");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(log).containsExactly("outer.request", "outer.response"); // inner never saw it, nor the view

        log.clear();
        var failed = get(port, "/fail");
        assertThat(failed.status()).isEqualTo(409);
        assertThat(failed.text()).isEqualTo("rescued bad");
        assertThat(log).containsExactly("outer.request", "inner.request", "outer.view", "inner.view",
                "inner.exception", "outer.exception", "inner.response", "outer.response");
    }

    @Test
    void templatesRenderWithInheritanceAndEscaping() throws IOException {
        int port = start(
                path("^hello$", r -> render(r, "hello.html", Map.of("name", "<world>", "items", List.of(1, 2)))),
                path("^missing$", r -> render(r, "missing.html")),
                path("^broken$", r -> render(r, "broken.html")));
        var r = get(port, "/hello");
        assertThat(r.header("content-type")).isEqualTo("text/html; charset=utf-8");
        assertThat(r.text()).contains("<title>Hello</title>", "<p>Hello &lt;world&gt;!</p>", "<li>1</li><li>2</li>", "<i>/hello</i>");
        assertThat(get(port, "/missing").status()).isEqualTo(500);
        assertThat(get(port, "/broken").status()).isEqualTo(500);
    }

    @Test
    void templatesFromAFolder() throws IOException {
        Files.writeString(dir.resolve("page.html"), "<p>{{ x }}</p>");
        int port = start(Settings.builder().set("templates.dir", dir.toString()), null,
                path("^page$", r -> render(r, "page.html", Map.of("x", 42))));
        assertThat(get(port, "/page").text()).isEqualTo("<p>42</p>");
    }

    @Test
    void staticFilesFromTheClasspath() throws IOException {
        int port = start();
        var js = get(port, "/static/app.js");
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.header("content-type")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(js.text()).contains("console.log");
        assertThat(get(port, "/static/sub/a.css").header("content-type")).isEqualTo("text/css; charset=utf-8");
        assertThat(get(port, "/static/sub").status()).isEqualTo(404);
        assertThat(get(port, "/static/nope.js").status()).isEqualTo(404);
        assertThat(get(port, "/static/../templates/base.html").status()).isEqualTo(404);
        assertThat(get(port, "/static/%2e%2e/templates/base.html").status()).isEqualTo(404);
        assertThat(get(port, "/static/sub/..%2F..%2Ftemplates/base.html").status()).isEqualTo(404);
    }

    @Test
    void staticFilesFromAFolderWithTraversalProtectionAnd304() throws IOException {
        Path root = Files.createDirectories(dir.resolve("public"));
        Files.writeString(root.resolve("index.html"), "<h1>hi</h1>");
        Files.writeString(dir.resolve("secret.txt"), "secret");
        try {
            Files.createSymbolicLink(root.resolve("link.txt"), dir.resolve("secret.txt"));
        } catch (UnsupportedOperationException | IOException e) {
            // no symlinks here; the other checks still run
        }
        int port = start(Settings.builder().set("static.dir", root.toString()).set("static.url", "/files/"), null);
        var page = get(port, "/files/index.html");
        assertThat(page.text()).isEqualTo("<h1>hi</h1>");
        assertThat(page.header("content-type")).isEqualTo("text/html; charset=utf-8");
        for (String evil : List.of("/files/../secret.txt", "/files/%2e%2e/secret.txt", "/files/..%2fsecret.txt",
                "/files/%2fetc%2fpasswd", "/files/..%5csecret.txt", "/files/link.txt", "/files/", "/files/.",
                "/files/%252e%252e/secret.txt", "/files/%2E%2E%2Fsecret.txt", "/files/%c0%ae%c0%ae/secret.txt",
                "/files/..%c0%afsecret.txt", "/files/.%2e/secret.txt", "/files/..;/secret.txt", "/files/..%00/secret.txt",
                "/files/sub/..%2f..%2fsecret.txt", "/files/\\..\\secret.txt")) {
            var r = get(port, evil);
            assertThat(r.status()).as(evil).isIn(400, 404);
            assertThat(r.text()).as(evil).doesNotContain("secret\n").isNotEqualTo("secret");
        }
        var again = RawHttp.exchange(port, "GET /files/index.html HTTP/1.1\r\nHost: localhost\r\nIf-Modified-Since: "
                + page.header("last-modified") + "\r\n\r\n");
        assertThat(again.status()).isEqualTo(304);
        assertThat(RawHttp.exchange(port, "POST /files/index.html HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n").status()).isEqualTo(405);
    }

    @Test
    void headRequestToAView() throws IOException {
        int port = start(path("^page$", r -> Response.text("twelve bytes")));
        var r = RawHttp.exchange(port, "HEAD /page HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-length")).isEqualTo("12");
    }
}
