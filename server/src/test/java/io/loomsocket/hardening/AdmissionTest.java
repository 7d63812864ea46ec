package io.loomsocket.hardening;

import static io.loomsocket.web.Views.acceptWebSocket;
import static io.loomsocket.web.Views.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.client.WebSocketHandshakeException;
import io.loomsocket.server.HttpServer;
import io.loomsocket.server.RawHttp;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.raw.RawClient;
import io.loomsocket.web.Middleware;
import io.loomsocket.web.Request;
import io.loomsocket.web.Response;
import io.loomsocket.web.WebSocketMiddleware;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Who gets in: the same-origin check against cross-site WebSocket hijacking (RFC 6455
 * §10.2, {@code websocket.allowed_origins}) and middleware that authenticates a handshake from a
 * cookie, a header or a query token and refuses it with 401/403 before any 101 is sent.
 */
@IntegrationTest
class AdmissionTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private HttpServer server;
    private final AtomicInteger viewRuns = new AtomicInteger();

    @AfterEach
    void stop() {
        if (server != null) server.stop(Duration.ofSeconds(2));
    }

    private int start(String allowedOrigins, List<Middleware> chain) throws Exception {
        Map<String, String> s = allowedOrigins == null ? Map.of() : Map.of("websocket.allowed_origins", allowedOrigins);
        server = Apps.start(s, chain, path("^echo$", acceptWebSocket(r -> {
            if (r.isWebSocket()) viewRuns.incrementAndGet();
            return Apps.echo(r);
        })));
        return server.port();
    }

    /** The handshake status for this Origin (null: none sent): 101 on success. */
    private int statusFor(int port, String origin, String target, Map<String, String> headers) {
        WebSocketClient.Builder b = WebSocketClient.builder().handshakeTimeout(WAIT);
        if (origin != null) b.header("Origin", origin);
        headers.forEach(b::header);
        try {
            WebSocket ws = b.build().connect(URI.create("ws://127.0.0.1:" + port + target));
            ws.send("ping?");
            assertThat(ws.receive(WAIT).orElseThrow().text()).isEqualTo("ping?");
            ws.close();
            return 101;
        } catch (WebSocketHandshakeException e) {
            return e.status();
        }
    }

    @ParameterizedTest(name = "allowed_origins={0}, Origin {1} -> {2}")
    @CsvSource(nullValues = "NONE", value = {
        // default: only the request's own host (Host: 127.0.0.1:<port>); no Origin = a non-browser client
        "NONE, NONE, 101",
        "NONE, http://127.0.0.1:PORT, 101",
        "NONE, https://evil.example, 403",
        "NONE, http://127.0.0.1:1, 403",          // same host, other port: another origin (RFC 6454 §4)
        "NONE, http://localhost:PORT, 403",        // another host name for the same machine is still another origin
        "NONE, null, 403",                         // sandboxed iframes and file: pages send the literal null
        // exact origins
        "https://app.example.com, https://app.example.com, 101",
        "https://app.example.com, http://app.example.com, 403",   // scheme matters
        "https://app.example.com, https://app.example.com:8443, 403",
        "https://app.example.com, https://evil.example, 403",
        // patterns: any subdomain, not the bare domain nor a look-alike
        "https://*.example.com, https://a.example.com, 101",
        "https://*.example.com, https://a.b.example.com, 101",
        "https://*.example.com, https://example.com, 403",
        "https://*.example.com, https://evilexample.com, 403",
        "https://*.example.com, https://example.com.evil.test, 403",
        // * turns the check off explicitly
        "*, https://evil.example, 101",
        "*, null, 101",
    })
    void originPolicy(String allowed, String origin, int expected) throws Exception {
        int port = start(allowed, null);
        String o = origin == null ? null : origin.replace("PORT", Integer.toString(port));
        assertThat(statusFor(port, o, "/echo", Map.of())).isEqualTo(expected);
        if (expected == 403) assertThat(viewRuns).as("the view never runs for a refused origin").hasValue(0);
    }

    /**
     * Authentication middleware of the kind an application writes: a token from the
     * {@code token} query parameter, an {@code Authorization: Bearer} header or a
     * {@code session} cookie. None: 401 with a challenge; a wrong one: 403.
     */
    static final class TokenAuth implements Middleware {
        final AtomicInteger refused = new AtomicInteger();

        @Override
        public Optional<Response> processRequest(Request r) {
            if (!r.isWebSocket()) return Optional.empty();
            Optional<String> token = r.query().first("token")
                    .or(() -> r.header("Authorization").filter(h -> h.startsWith("Bearer ")).map(h -> h.substring(7)))
                    .or(() -> r.cookie("session"));
            if (token.isEmpty()) {
                refused.incrementAndGet();
                return Optional.of(Response.error(401, "log in first").header("WWW-Authenticate", "Bearer"));
            }
            if (!token.get().equals("s3cret")) {
                refused.incrementAndGet();
                return Optional.of(Response.error(403, "bad token"));
            }
            r.attributes().put("user", "alice");
            return Optional.empty();
        }
    }

    @Test
    void middlewareAuthenticatesBeforeTheUpgrade() throws Exception {
        TokenAuth auth = new TokenAuth();
        int port = start(null, List.of(new WebSocketMiddleware(), auth));
        assertThat(statusFor(port, null, "/echo", Map.of())).isEqualTo(401);
        assertThat(statusFor(port, null, "/echo?token=guess", Map.of())).isEqualTo(403);
        assertThat(statusFor(port, null, "/echo", Map.of("Authorization", "Bearer guess"))).isEqualTo(403);
        assertThat(statusFor(port, null, "/echo", Map.of("Cookie", "session=guess"))).isEqualTo(403);
        assertThat(viewRuns).as("no refused handshake reached the view").hasValue(0);
        assertThat(auth.refused).hasValue(4);

        assertThat(statusFor(port, null, "/echo?token=s3cret", Map.of())).isEqualTo(101);
        assertThat(statusFor(port, null, "/echo", Map.of("Authorization", "Bearer s3cret"))).isEqualTo(101);
        assertThat(statusFor(port, null, "/echo", Map.of("Cookie", "theme=dark; session=s3cret"))).isEqualTo(101);
        assertThat(viewRuns).hasValue(3);
    }

    /** On the wire: the refusal is a plain HTTP response with the challenge, never a 101, no frame follows, and the connection closes. */
    @Test
    void refusalIsPlainHttpWithoutUpgrade() throws Exception {
        int port = start(null, List.of(new WebSocketMiddleware(), new TokenAuth()));
        try (RawHttp raw = new RawHttp(port)) {
            raw.send(RawClient.upgradeRequest("/echo", RawClient.SAMPLE_KEY));
            var r = raw.read();
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.header("www-authenticate")).isEqualTo("Bearer");
            assertThat(r.header("upgrade")).isNull();
            assertThat(r.header("sec-websocket-accept")).isNull();
            // and the connection is closed: a proxy that does not check for 101 may already treat it as
            // a tunnel, so no request smuggled after the refused handshake may be served on it
            assertThat(r.header("connection")).isEqualTo("close");
            raw.send("GET /echo HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(raw.closedByServer()).isTrue();
        }
        assertThatThrownBy(() -> WebSocketClient.connect("ws://127.0.0.1:" + port + "/echo"))
                .isInstanceOfSatisfying(WebSocketHandshakeException.class, e -> assertThat(e.status()).isEqualTo(401));
    }
}
