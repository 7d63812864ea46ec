package io.loomsocket.web.auth;

import static io.loomsocket.web.Views.*;
import static io.loomsocket.web.auth.Auth.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.client.WebSocketHandshakeException;
import io.loomsocket.server.HttpServer;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.web.Request;
import io.loomsocket.web.Response;
import io.loomsocket.web.Settings;
import io.loomsocket.web.SettingsException;
import io.loomsocket.web.View;
import io.loomsocket.web.WebApp;
import io.loomsocket.web.WebSocketMiddleware;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.security.KeyStore;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Sessions, CSRF, users and the auth decorators over real sockets (JDK HttpClient, our WebSocket client). */
@IntegrationTest
class AuthAppTest {
    static final String SECRET = "test-secret-key-0123456789-abcdefghijklmnop";
    static final Duration AGE = Duration.ofDays(14);

    @TempDir
    Path templates;

    HttpServer server;
    SessionMiddleware sessions;
    int port;
    final AtomicInteger privateWebSocketViewRuns = new AtomicInteger();

    void start(Duration checkInterval) throws IOException {
        start(checkInterval, Map.of());
    }

    void start(Duration checkInterval, Map<String, String> more) throws IOException {
        Files.writeString(templates.resolve("form.html"), "<form method=post>{{ csrf_input() }}</form><meta content=\"{{ csrf_token() }}\">");
        Settings.Builder builder = Settings.builder().environment(Map.of()).port(0);
        more.forEach(builder::set);
        Settings settings = builder
                .set("secret_key", SECRET)
                .set("session.check_interval", checkInterval)
                .set("templates.dir", templates.toString())
                .set("static.dir", "")
                .build();
        sessions = new SessionMiddleware(settings);
        View whoami = r -> {
            if (!r.isWebSocket()) return Response.text(r.user().isAuthenticated() ? r.user().username() : "anonymous");
            for (Message m : r.websocket()) r.websocket().send(r.user().username());
            return null;
        };
        View privateWs = r -> {
            privateWebSocketViewRuns.incrementAndGet();
            for (Message m : r.websocket()) r.websocket().send(r.user().username());
            return null;
        };
        server = WebApp.builder().settings(settings)
                .middleware(new WebSocketMiddleware(), sessions, new CsrfMiddleware(),
                        new AuthenticationMiddleware(name -> Optional.of(name.equals("root") ? User.of(name, "admin") : User.of(name))))
                .urls(path("^whoami$", acceptWebSocket(whoami)),
                        path("^session$", r -> Response.text(r.session().id().orElse("-") + " " + r.session().get("k").orElse("-"))),
                        path("^set$", requireMethods(r -> { r.session().put("k", r.form().get("k", "")); return Response.text("set"); }, "POST")),
                        path("^login$", requireMethods(r -> { login(r, User.of(r.form().get("name", ""))); return Response.text("in"); }, "POST")),
                        path("^logout$", requireMethods(r -> { logout(r); return Response.text("out"); }, "POST")),
                        path("^form$", r -> render(r, "form.html")),
                        path("^exempt$", csrfExempt(r -> Response.text("exempt"))),
                        path("^private$", loginRequired(r -> Response.text("private " + r.user().username()))),
                        path("^admin$", permissionRequired("admin", r -> Response.text("admin"))),
                        path("^ws/outer$", loginRequired(requireWebSocket(privateWs))),
                        path("^ws/inner$", requireWebSocket(loginRequired(privateWs))),
                        path("^ws/admin$", permissionRequired("admin", requireWebSocket(privateWs))))
                .build().start();
        port = server.port();
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(Duration.ofSeconds(2));
        if (sessions != null) sessions.close();
    }

    /** A browser's cookie jar over raw HTTP/1.1 exchanges (no redirects followed). */
    final class Browser {
        final Map<String, String> cookies = new LinkedHashMap<>();
        Http.Response last;

        Http.Response get(String path) throws Exception {
            return send("GET", path, null);
        }

        Http.Response post(String path, String form, String... headers) throws Exception {
            List<String> lines = new java.util.ArrayList<>(List.of("Content-Type: application/x-www-form-urlencoded"));
            for (int i = 0; i < headers.length; i += 2) lines.add(headers[i] + ": " + headers[i + 1]);
            return send("POST", path, form, lines.toArray(String[]::new));
        }

        Http.Response send(String method, String path, String body, String... headerLines) throws Exception {
            List<String> lines = new java.util.ArrayList<>(List.of(headerLines));
            if (!cookies.isEmpty()) lines.add("Cookie: " + cookieHeader());
            last = Http.exchange(port, method, path, lines, body);
            for (String set : last.all("set-cookie")) {
                String pair = set.split(";", 2)[0];
                String name = pair.substring(0, pair.indexOf('='));
                if (set.contains("Max-Age=0")) cookies.remove(name);
                else cookies.put(name, pair.substring(pair.indexOf('=') + 1));
            }
            return last;
        }

        String cookieHeader() {
            StringBuilder s = new StringBuilder();
            cookies.forEach((k, v) -> s.append(s.isEmpty() ? "" : "; ").append(k).append('=').append(v));
            return s.toString();
        }

        /** GETs the form page and returns the CSRF token in it. */
        String csrfToken() throws Exception {
            Matcher m = Pattern.compile("name=\"csrfmiddlewaretoken\" value=\"([A-Za-z0-9]{64})\"").matcher(get("/form").body());
            assertThat(m.find()).as("token in the form").isTrue();
            return m.group(1);
        }

        void login(String name) throws Exception {
            assertThat(post("/login", "name=" + name + "&csrfmiddlewaretoken=" + csrfToken()).status()).isEqualTo(200);
        }

        WebSocket webSocket(String path) {
            return WebSocketClient.builder().header("Cookie", cookieHeader()).build().connect(URI.create("ws://127.0.0.1:" + port + path));
        }
    }

    static String setCookie(Http.Response r, String name) {
        return r.all("set-cookie").stream().filter(c -> c.startsWith(name + "=")).findFirst().orElse(null);
    }

    @Test
    void loginSetsASignedHttpOnlyLaxSessionCookieAndTheUserIsOnLaterRequests() throws Exception {
        start(Duration.ofSeconds(60));
        Browser b = new Browser();
        assertThat(b.get("/whoami").body()).isEqualTo("anonymous");
        b.login("alice");
        String cookie = setCookie(b.last, "sessionid");
        assertThat(cookie).contains("; HttpOnly", "; SameSite=Lax", "; Path=/", "; Max-Age=1209600").doesNotContain("Secure");
        assertThat(b.get("/whoami").body()).isEqualTo("alice");
        assertThat(b.get("/private").body()).isEqualTo("private alice");
    }

    @Test
    void aTamperedSessionCookieIsRefused() throws Exception {
        start(Duration.ofSeconds(60));
        Browser b = new Browser();
        b.login("alice");
        String good = b.cookies.get("sessionid");
        // id.base64(values):timestamp:signature; claim to be root with alice's signature
        String values = good.substring(good.indexOf('.') + 1, good.indexOf(':'));
        String forgedValues = Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(Base64.getUrlDecoder().decode(values), StandardCharsets.UTF_8).replace("alice", "root").getBytes(StandardCharsets.UTF_8));
        b.cookies.put("sessionid", good.replace(values, forgedValues));
        assertThat(b.get("/whoami").body()).isEqualTo("anonymous");
        assertThat(b.get("/admin").status()).isEqualTo(302);
        char last = good.charAt(good.length() - 1);
        b.cookies.put("sessionid", good.substring(0, good.length() - 1) + (last == 'A' ? 'B' : 'A'));
        assertThat(b.get("/whoami").body()).isEqualTo("anonymous");
        b.cookies.put("sessionid", good);
        assertThat(b.get("/whoami").body()).as("the untouched cookie").isEqualTo("alice");
    }

    @Test
    void aSessionCookieOlderThanTheCookieAgeIsRefused() throws Exception {
        start(Duration.ofSeconds(60));
        Browser b = new Browser();
        b.cookies.put("sessionid", sessions.loginCookie(User.of("alice"), Instant.now().minus(AGE).minusSeconds(5)));
        assertThat(b.get("/whoami").body()).isEqualTo("anonymous");
        b.cookies.put("sessionid", sessions.loginCookie(User.of("alice"), Instant.now().minus(AGE).plusSeconds(60)));
        assertThat(b.get("/whoami").body()).isEqualTo("alice");
    }

    @Test
    void loginGivesTheSessionANewIdAgainstFixation() throws Exception {
        start(Duration.ofSeconds(60));
        Browser b = new Browser();
        assertThat(b.post("/set", "k=v&csrfmiddlewaretoken=" + b.csrfToken()).status()).isEqualTo(200);
        String before = b.get("/session").body();
        assertThat(before).endsWith(" v");
        String anonymousCookie = b.cookies.get("sessionid");
        b.login("alice");
        String after = b.get("/session").body();
        assertThat(after).endsWith(" v"); // values kept
        assertThat(after.split(" ")[0]).isNotEqualTo(before.split(" ")[0]);
        b.cookies.put("sessionid", anonymousCookie);
        assertThat(b.get("/whoami").body()).as("the pre-login cookie").isEqualTo("anonymous");
    }

    @Test
    void aStateChangingRequestNeedsTheCsrfCookieAndItsToken() throws Exception {
        start(Duration.ofSeconds(60));
        Browser b = new Browser();
        var noCookie = b.post("/login", "name=alice");
        assertThat(noCookie.status()).isEqualTo(403);
        assertThat(noCookie.body()).contains("CSRF cookie not set.");
        String token = b.csrfToken();
        String csrfCookie = setCookie(b.last, "csrftoken");
        assertThat(csrfCookie).contains("; SameSite=Lax", "; Path=/").doesNotContain("HttpOnly");
        var missing = b.post("/login", "name=alice");
        assertThat(missing.status()).isEqualTo(403);
        assertThat(missing.body()).contains("CSRF token missing.");
        String otherToken = CsrfMiddleware.mask("0123456789abcdefghijABCDEFGHIJxy");
        var wrong = b.post("/login", "name=alice&csrfmiddlewaretoken=" + otherToken);
        assertThat(wrong.status()).isEqualTo(403);
        assertThat(wrong.body()).contains("CSRF token from POST incorrect.");
        var wrongHeader = b.post("/login", "name=alice", "X-CSRFToken", otherToken);
        assertThat(wrongHeader.status()).isEqualTo(403);
        assertThat(wrongHeader.body()).contains("CSRF token from the 'X-CSRFToken' HTTP header incorrect.");
        var crossSite = b.post("/login", "name=alice&csrfmiddlewaretoken=" + token, "Origin", "http://evil.example");
        assertThat(crossSite.status()).isEqualTo(403);
        assertThat(crossSite.body()).contains("Origin checking failed");
        assertThat(b.get("/whoami").body()).isEqualTo("anonymous");

        assertThat(b.post("/login", "name=alice", "X-CSRFToken", b.csrfToken()).status()).isEqualTo(200);
        assertThat(b.get("/whoami").body()).isEqualTo("alice");
        // login gave the browser a new CSRF secret: the old token no longer passes
        assertThat(b.post("/logout", "csrfmiddlewaretoken=" + token).status()).isEqualTo(403);
        assertThat(b.post("/logout", "csrfmiddlewaretoken=" + b.csrfToken(), "Origin", "http://127.0.0.1:" + port).status()).isEqualTo(200);
        assertThat(b.get("/whoami").body()).isEqualTo("anonymous");
    }

    @Test
    void eachFormGetsAFreshMaskOfTheSameSecretAndCsrfExemptViewsAreNotChecked() throws Exception {
        start(Duration.ofSeconds(60));
        Browser b = new Browser();
        String first = b.csrfToken();
        String second = b.csrfToken();
        assertThat(first).isNotEqualTo(second);
        assertThat(CsrfMiddleware.unmask(first)).isEqualTo(CsrfMiddleware.unmask(second)).isEqualTo(b.cookies.get("csrftoken"));
        assertThat(b.last.body()).contains("<meta content=\"").doesNotContain("&lt;");
        assertThat(b.post("/set", "k=1&csrfmiddlewaretoken=" + first).status()).isEqualTo(200);
        assertThat(new Browser().post("/exempt", "").body()).isEqualTo("exempt");
    }

    @Test
    void loginRequiredRedirectsAnonymousHttpToTheLoginUrlWithNext() throws Exception {
        start(Duration.ofSeconds(60));
        Browser b = new Browser();
        var r = b.get("/private?x=1&y=%C3%A9");
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.first("location")).contains("/login/?next=%2Fprivate%3Fx%3D1%26y%3D%25C3%25A9");
        b.login("bob");
        assertThat(b.get("/private").body()).isEqualTo("private bob");
    }

    @Test
    void permissionRequiredRefusesALoggedInUserWithoutThePermission() throws Exception {
        start(Duration.ofSeconds(60));
        Browser bob = new Browser();
        bob.login("bob");
        var refused = bob.get("/admin");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body()).contains("permission admin required");
        Browser root = new Browser();
        root.login("root");
        assertThat(root.get("/admin").body()).isEqualTo("admin");
    }

    @Test
    void loginRequiredRefusesAnAnonymousWebSocketHandshakeWith403BeforeTheUpgrade() throws Exception {
        start(Duration.ofSeconds(60));
        for (String path : List.of("/ws/outer", "/ws/inner")) {
            assertThatThrownBy(() -> new Browser().webSocket(path))
                    .as(path).isInstanceOfSatisfying(WebSocketHandshakeException.class, e -> assertThat(e.status()).isEqualTo(403));
        }
        assertThat(privateWebSocketViewRuns).hasValue(0);
        Browser b = new Browser();
        b.login("carol");
        for (String path : List.of("/ws/outer", "/ws/inner")) {
            try (WebSocket ws = b.webSocket(path)) {
                ws.send("who?");
                assertThat(ws.receive(Duration.ofSeconds(10)).orElseThrow().text()).isEqualTo("carol");
            }
        }
        assertThat(privateWebSocketViewRuns).hasValue(2);
    }

    @Test
    void aLoggedInUserWithoutThePermissionGets403BeforeTheUpgradeAndIsNotWatched() throws Exception {
        start(Duration.ofSeconds(60));
        Browser b = new Browser();
        b.login("frank");
        assertThatThrownBy(() -> b.webSocket("/ws/admin"))
                .isInstanceOfSatisfying(WebSocketHandshakeException.class, e -> assertThat(e.status()).isEqualTo(403));
        assertThat(privateWebSocketViewRuns).hasValue(0);
        assertThat(sessions.watch().watchedSessions()).as("a refused handshake leaves nothing watched").isZero();
        Browser root = new Browser();
        root.login("root");
        try (WebSocket ws = root.webSocket("/ws/admin")) {
            ws.send("who?");
            assertThat(ws.receive(Duration.ofSeconds(10)).orElseThrow().text()).isEqualTo("root");
            assertThat(sessions.watch().watchedSessions()).isEqualTo(1);
        }
    }

    @Test
    void logoutClosesTheSessionsWebSocketsWith1008AndTheirUserNeverChanges() throws Exception {
        start(Duration.ofSeconds(60));
        Browser b = new Browser();
        b.login("alice");
        WebSocket ws = b.webSocket("/whoami");
        Browser other = new Browser();
        other.login("dave");
        WebSocket othersWs = other.webSocket("/whoami");
        ws.send("who?");
        assertThat(ws.receive(Duration.ofSeconds(10)).orElseThrow().text()).isEqualTo("alice");
        // logging in as someone else in the same browser empties the session and ends its id
        b.login("bob");
        assertThat(b.get("/whoami").body()).isEqualTo("bob");
        assertThat(ws.receive(Duration.ofSeconds(10))).isEmpty();
        assertThat(ws.closeCode()).hasValue(1008);
        assertThat(ws.closeReason()).isEqualTo("session ended");

        WebSocket bobs = b.webSocket("/whoami");
        bobs.send("who?");
        assertThat(bobs.receive(Duration.ofSeconds(10)).orElseThrow().text()).isEqualTo("bob");
        assertThat(b.post("/logout", "csrfmiddlewaretoken=" + b.csrfToken()).body()).isEqualTo("out");
        assertThat(bobs.receive(Duration.ofSeconds(10))).isEmpty();
        assertThat(bobs.closeCode()).hasValue(1008);

        othersWs.send("still here?");
        assertThat(othersWs.receive(Duration.ofSeconds(10)).orElseThrow().text()).as("another session's WebSocket").isEqualTo("dave");
        othersWs.close();
    }

    @Test
    void aWebSocketWhoseSessionExpiresIsClosedWith1008() throws Exception {
        start(Duration.ofMillis(100));
        Browser b = new Browser();
        // issued so that it expires two seconds from now
        b.cookies.put("sessionid", sessions.loginCookie(User.of("erin"), Instant.now().minus(AGE).plusSeconds(2)));
        WebSocket ws = b.webSocket("/whoami");
        ws.send("who?");
        assertThat(ws.receive(Duration.ofSeconds(10)).orElseThrow().text()).isEqualTo("erin");
        assertThat(ws.receive(Duration.ofSeconds(30))).isEmpty();
        assertThat(ws.closeCode()).hasValue(1008);
        assertThat(ws.closeReason()).isEqualTo("session expired");
        assertThat(sessions.watch().watchedSessions()).isZero();
    }

    @Test
    void overHttpsTheCookiesAreSecureAndAPostNeedsASameOriginReferer() throws Exception {
        Path keystore = templates.resolve("server.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        start(Duration.ofSeconds(60), Map.of("tls.keystore", keystore.toString(), "tls.keystore_password", "changeit"));

        Http.Response form = Http.exchange(tls, port, "GET", "/form", List.of(), null);
        String csrf = setCookie(form, "csrftoken");
        assertThat(csrf).contains("; Secure");
        String secret = csrf.substring("csrftoken=".length(), csrf.indexOf(';'));
        Matcher m = Pattern.compile("value=\"([A-Za-z0-9]{64})\"").matcher(form.body());
        assertThat(m.find()).isTrue();
        String origin = "https://127.0.0.1:" + port;
        List<String> headers = List.of("Cookie: csrftoken=" + secret, "Content-Type: application/x-www-form-urlencoded");
        Http.Response noReferer = Http.exchange(tls, port, "POST", "/set", headers, "k=1&csrfmiddlewaretoken=" + m.group(1));
        assertThat(noReferer.status()).isEqualTo(403);
        assertThat(noReferer.body()).contains("Referer checking failed - no Referer.");
        List<String> otherSite = new java.util.ArrayList<>(headers);
        otherSite.add("Referer: https://evil.example/page");
        assertThat(Http.exchange(tls, port, "POST", "/set", otherSite, "k=1&csrfmiddlewaretoken=" + m.group(1)).body())
                .contains("Referer checking failed - https://evil.example/page does not match");
        List<String> sameSite = new java.util.ArrayList<>(headers);
        sameSite.add("Referer: " + origin + "/form");
        Http.Response set = Http.exchange(tls, port, "POST", "/set", sameSite, "k=1&csrfmiddlewaretoken=" + m.group(1));
        assertThat(set.status()).isEqualTo(200);
        assertThat(setCookie(set, "sessionid")).contains("; Secure", "; HttpOnly", "; SameSite=Lax");
    }

    @Test
    void withoutASecretKeyTheSessionMiddlewareRefusesToStartUnlessDebugIsOn() {
        assertThatThrownBy(() -> new SessionMiddleware(Settings.builder().environment(Map.of()).build()))
                .isInstanceOf(SettingsException.class).hasMessageContaining("secret_key is not set");
        assertThatThrownBy(() -> new SessionMiddleware(Settings.builder().environment(Map.of("SECRET_KEY", "short")).build()))
                .isInstanceOf(SettingsException.class).hasMessageContaining("at least 32");
        Settings debug = Settings.builder().environment(Map.of("DEBUG", "true")).build();
        SessionMiddleware one = new SessionMiddleware(debug);
        SessionMiddleware two = new SessionMiddleware(debug);
        String cookie = one.loginCookie(User.of("alice"));
        assertThat(one.load(cookie)).isPresent();
        assertThat(two.load(cookie)).as("a different random key").isEmpty();
    }
}
