package io.loomsocket.channels;

import static io.loomsocket.web.Views.acceptWebSocket;
import static io.loomsocket.web.Views.path;
import static io.loomsocket.web.Views.requireMethods;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.server.HttpServer;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.RedisProcess;
import io.loomsocket.web.Response;
import io.loomsocket.web.Settings;
import io.loomsocket.web.View;
import io.loomsocket.web.WebApp;
import io.loomsocket.web.WebSocketMiddleware;
import io.loomsocket.web.auth.Auth;
import io.loomsocket.web.auth.AuthenticationMiddleware;
import io.loomsocket.web.auth.SessionMiddleware;
import io.loomsocket.web.auth.User;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two servers sharing logins through a real Redis ({@code session.store=redis://...}). */
@IntegrationTest
class RedisSessionStoreTest {
    RedisProcess redis;
    final List<HttpServer> servers = new ArrayList<>();
    final List<SessionMiddleware> sessions = new ArrayList<>();

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisProcess.start();
    }

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(Duration.ofSeconds(2)));
        sessions.forEach(SessionMiddleware::close);
        redis.close();
    }

    /** A server of the test app; both use the same secret key and the same Redis. */
    int server() throws IOException {
        Settings settings = Settings.builder().environment(Map.of()).port(0)
                .set("secret_key", "redis-session-test-secret-0123456789abcdef")
                .set("session.store", redis.uri())
                .set("session.check_interval", Duration.ofMillis(200))
                .set("static.dir", "")
                .build();
        SessionMiddleware sm = new SessionMiddleware(settings); // finds the Redis store through ServiceLoader
        assertThat(sm.store()).isInstanceOf(RedisSessionStore.class);
        sessions.add(sm);
        View whoami = r -> {
            if (!r.isWebSocket()) return Response.text(r.user().isAuthenticated() ? r.user().username() : "anonymous");
            for (Message m : r.websocket()) r.websocket().send(r.user().username());
            return null;
        };
        HttpServer s = WebApp.builder().settings(settings)
                .middleware(new WebSocketMiddleware(), sm, new AuthenticationMiddleware())
                .urls(path("^whoami$", acceptWebSocket(whoami)),
                        path("^session$", r -> Response.text(r.session().id().orElse("-") + " " + r.session().get("k").orElse("-"))),
                        path("^set$", requireMethods(r -> { r.session().put("k", "v"); return Response.text("set"); }, "POST")),
                        path("^login$", requireMethods(r -> { Auth.login(r, User.of(r.query().get("name", ""))); return Response.text("in"); }, "POST")),
                        path("^logout$", requireMethods(r -> { Auth.logout(r); return Response.text("out"); }, "POST")))
                .build().start();
        servers.add(s);
        return s.port();
    }

    /** Status, the new sessionid cookie (or null) and the body of one exchange. */
    record Reply(int status, String sessionCookie, String body) {}

    static Reply http(int port, String method, String target, String sessionCookie) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);
            String req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n"
                    + (sessionCookie == null ? "" : "Cookie: sessionid=" + sessionCookie + "\r\n")
                    + (method.equals("POST") ? "Content-Length: 0\r\n" : "") + "\r\n";
            s.getOutputStream().write(req.getBytes(StandardCharsets.UTF_8));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            s.getInputStream().transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            Matcher cookie = Pattern.compile("(?im)^set-cookie: sessionid=([^;\r\n]*)").matcher(text.substring(0, end));
            return new Reply(Integer.parseInt(text.substring(9, 12)), cookie.find() ? cookie.group(1) : null, text.substring(end + 4));
        }
    }

    @Test
    void aLoginOnOneServerIsALoginOnTheOtherAndLogoutEndsItEverywhere() throws Exception {
        int a = server();
        int b = server();
        String cookie = http(a, "POST", "/login?name=alice", null).sessionCookie();
        assertThat(cookie).isNotNull();
        assertThat(http(b, "GET", "/whoami", cookie).body()).isEqualTo("alice");
        WebSocket onB = WebSocketClient.builder().header("Cookie", "sessionid=" + cookie).build()
                .connect(URI.create("ws://127.0.0.1:" + b + "/whoami"));
        onB.send("who?");
        assertThat(onB.receive(Duration.ofSeconds(10)).orElseThrow().text()).isEqualTo("alice");

        assertThat(http(a, "POST", "/logout", cookie).body()).isEqualTo("out");
        // the same cookie, still validly signed and young, names a session Redis no longer has
        assertThat(http(b, "GET", "/whoami", cookie).body()).isEqualTo("anonymous");
        assertThat(onB.receive(Duration.ofSeconds(30))).isEmpty();
        assertThat(onB.closeCode()).hasValue(1008);
        assertThat(onB.closeReason()).isEqualTo("session ended");
    }

    @Test
    void loginDeletesThePreLoginSessionAgainstFixation() throws Exception {
        int a = server();
        String before = http(a, "POST", "/set", null).sessionCookie();
        String[] anonymous = http(a, "GET", "/session", before).body().split(" ");
        assertThat(anonymous[1]).isEqualTo("v");
        String after = http(a, "POST", "/login?name=bob", before).sessionCookie();
        String[] loggedIn = http(a, "GET", "/session", after).body().split(" ");
        assertThat(loggedIn[1]).isEqualTo("v");
        assertThat(loggedIn[0]).isNotEqualTo(anonymous[0]);
        // whoever planted or copied the pre-login cookie does not share the login
        assertThat(http(a, "GET", "/whoami", before).body()).isEqualTo("anonymous");
        assertThat(http(a, "GET", "/session", before).body()).isEqualTo("- -");
    }

    @Test
    void aMintedLoginCookieWorksOnEveryServer() throws Exception {
        int a = server();
        int b = server();
        String cookie = sessions.get(0).loginCookie(User.of("zed"));
        assertThat(http(a, "GET", "/whoami", cookie).body()).isEqualTo("zed");
        assertThat(http(b, "GET", "/whoami", cookie).body()).isEqualTo("zed");
    }
}
