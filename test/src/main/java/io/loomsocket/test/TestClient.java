package io.loomsocket.test;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.client.WebSocketHandshakeException;
import io.loomsocket.engine.HttpHeaders;
import io.loomsocket.web.auth.SessionMiddleware;
import io.loomsocket.web.auth.User;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A client of one {@link TestServer} with a cookie jar (Django's test {@code Client}): HTTP
 * requests and WebSockets opened from it carry the same cookies, and WebSockets send the
 * server's own {@code Origin}, as a browser on its pages would. Cookies the server sets are kept;
 * {@link #setCookie} adds one in a single call (a session minted by the test, for instance).
 *
 * <pre>{@code
 * TestClient client = server.client();
 * client.postForm("/login/", Map.of("username", "ann"));
 * try (TestWebSocket ws = client.websocket("/chat/lobby/")) {
 *     ws.sendJson(Map.of("text", "hi"));
 *     assertEquals("hi", ws.receiveJson(Chat.class).text());
 * }
 * }</pre>
 *
 * Requests do not follow redirects; {@link #followingRedirects()} gives a client that does, on
 * the same cookie jar. {@link #forceLogin} logs the client in without the login form (Django's
 * {@code force_login}). A state-changing request carries the CSRF token of the client's
 * {@code csrftoken} cookie (made if the jar has none), as a page of the site would;
 * {@link #enforcingCsrf()} gives a client that sends none, to test the refusals. Thread-safe.
 */
public final class TestClient {
    /** How long a request or a WebSocket handshake may take before the test fails. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Django's CSRF cookie and header, and the length and alphabet of its secret. */
    private static final String CSRF_COOKIE = "csrftoken";
    private static final String CSRF_HEADER = "X-CSRFToken";
    private static final String CSRF_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final int CSRF_SECRET_LENGTH = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TestServer server;
    private final CookieManager cookies;
    private final HttpClient http;
    private final HttpClient.Redirect redirects;
    private final boolean sendCsrfToken;

    TestClient(TestServer server) {
        this(server, new CookieManager(null, CookiePolicy.ACCEPT_ALL), HttpClient.Redirect.NEVER, true);
    }

    private TestClient(TestServer server, CookieManager cookies, HttpClient.Redirect redirects, boolean sendCsrfToken) {
        this.server = server;
        this.cookies = cookies;
        this.redirects = redirects;
        this.sendCsrfToken = sendCsrfToken;
        this.http = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(redirects).connectTimeout(TIMEOUT).build();
    }

    /** A client that follows redirects (GET after a 302/303 to a POST, as browsers do), sharing this one's cookies. */
    public TestClient followingRedirects() {
        return new TestClient(server, cookies, HttpClient.Redirect.NORMAL, sendCsrfToken);
    }

    /**
     * A client on the same cookie jar that sends no CSRF token of its own accord (a request from
     * another site, or a form that forgot {@code csrf_input()}): what the CSRF check refuses.
     */
    public TestClient enforcingCsrf() {
        return new TestClient(server, cookies, redirects, false);
    }

    // ---- users ----

    /**
     * Logs this client in as {@code user} without the login form (Django's {@code force_login}):
     * the application's {@code SessionMiddleware} stores a session for it, in whatever store the
     * app uses, and the client keeps its {@code sessionid} cookie. Later requests and WebSockets
     * are that user's.
     *
     * @throws IllegalStateException if the application's middleware has no SessionMiddleware
     */
    public TestClient forceLogin(User user) {
        SessionMiddleware sessions = SessionMiddleware.of(server.app()).orElseThrow(() -> new IllegalStateException(
                "forceLogin needs the application's middleware to include a SessionMiddleware"));
        return setCookie(SessionMiddleware.COOKIE_NAME, sessions.loginCookie(user));
    }

    /** {@link #forceLogin(User)} as a user of that name with no permissions. */
    public TestClient forceLogin(String username) {
        return forceLogin(User.of(username));
    }

    /** Forgets the session: later requests are anonymous (the server-side session is left as it is). */
    public TestClient logout() {
        return removeCookie(SessionMiddleware.COOKIE_NAME);
    }

    public TestServer server() {
        return server;
    }

    // ---- HTTP ----

    /** {@code GET path} ({@code path} may carry a query: {@code /echo?message=hi}). */
    public TestResponse get(String path) {
        return send(request(path).GET());
    }

    /** {@code POST path} with {@code application/x-www-form-urlencoded} fields, in the map's order. */
    public TestResponse postForm(String path, Map<String, String> fields) {
        String body = fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return post(path, "application/x-www-form-urlencoded", body.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code POST path} with {@code value} as {@code application/json}, written by the application's mapper. */
    public TestResponse postJson(String path, Object value) {
        return post(path, "application/json", server.app().json().writeBytes(value));
    }

    /** {@code POST path} with a body of any type. */
    public TestResponse post(String path, String contentType, byte[] body) {
        return send(request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /**
     * A request builder for {@code path} on the server, for any other method or header:
     * {@code client.send(client.request("/item/1").DELETE())}.
     */
    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(server.uri(path)).timeout(TIMEOUT);
    }

    /** Sends a request with this client's cookies and keeps the cookies of the response. */
    public TestResponse send(HttpRequest.Builder request) {
        HttpRequest r = withCsrfToken(request.build());
        try {
            HttpResponse<byte[]> response = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
            return new TestResponse(response.statusCode(), response.headers().map(), response.body(), server.app().json());
        } catch (IOException e) {
            throw new UncheckedIOException(r.method() + " " + r.uri() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + r.method() + " " + r.uri(), e);
        }
    }

    /** A state-changing request with the CSRF header a page of the site would add, unless it has one. */
    private HttpRequest withCsrfToken(HttpRequest r) {
        if (!sendCsrfToken || List.of("GET", "HEAD", "OPTIONS", "TRACE").contains(r.method())
                || r.headers().firstValue(CSRF_HEADER).isPresent()) {
            return r;
        }
        String secret = cookie(CSRF_COOKIE).orElseGet(() -> {
            StringBuilder b = new StringBuilder(CSRF_SECRET_LENGTH);
            for (int i = 0; i < CSRF_SECRET_LENGTH; i++) b.append(CSRF_ALPHABET.charAt(RANDOM.nextInt(CSRF_ALPHABET.length())));
            setCookie(CSRF_COOKIE, b.toString());
            return b.toString();
        });
        return HttpRequest.newBuilder(r, (name, value) -> true).header(CSRF_HEADER, secret).build();
    }

    // ---- cookies ----

    /** Adds a cookie for the server (path {@code /}), sent with every later request and WebSocket handshake. */
    public TestClient setCookie(String name, String value) {
        HttpCookie cookie = new HttpCookie(name, value);
        cookie.setPath("/");
        cookie.setVersion(0); // a plain name=value pair (RFC 6265), no $Version attributes
        cookies.getCookieStore().add(server.uri("/"), cookie);
        return this;
    }

    /** Removes the cookie of that name, if the jar has it. */
    public TestClient removeCookie(String name) {
        for (HttpCookie c : cookies.getCookieStore().get(server.uri("/"))) {
            if (c.getName().equals(name)) cookies.getCookieStore().remove(server.uri("/"), c);
        }
        return this;
    }

    /** The value of a cookie in the jar. */
    public Optional<String> cookie(String name) {
        return Optional.ofNullable(cookies().get(name));
    }

    /** Every cookie the jar would send to the server's root, by name. */
    public Map<String, String> cookies() {
        Map<String, String> all = new LinkedHashMap<>();
        for (HttpCookie c : cookies.getCookieStore().get(server.uri("/"))) all.put(c.getName(), c.getValue());
        return all;
    }

    /** The {@code Cookie} header value the jar holds for {@code path} (empty if none). */
    String cookieHeader(String path) {
        try {
            List<String> values = cookies.get(server.uri(path), Map.of()).getOrDefault("Cookie", List.of());
            return String.join("; ", values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The handshake's extra headers: the jar's cookies and the server's own Origin. */
    HttpHeaders handshakeHeaders(String path) {
        HttpHeaders h = new HttpHeaders();
        h.add("Origin", server.origin());
        String cookie = cookieHeader(stripQuery(path));
        if (!cookie.isEmpty()) h.add("Cookie", cookie);
        return h;
    }

    private static String stripQuery(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    // ---- WebSockets ----

    /**
     * Opens a WebSocket to {@code path} with this client's cookies and the server's Origin.
     *
     * @throws AssertionError if the server refuses the upgrade (with its status)
     */
    public TestWebSocket websocket(String path, String... subprotocols) {
        try {
            return new TestWebSocket(connect(path, subprotocols), server.app().json());
        } catch (WebSocketHandshakeException e) {
            throw new AssertionError("expected the WebSocket upgrade of " + path + " to succeed, the server answered HTTP " + e.status(), e);
        }
    }

    /**
     * Asserts that the server refuses a WebSocket upgrade of {@code path} (from this client, with
     * its cookies and Origin) with HTTP {@code status}, as a view behind a login check should.
     */
    public void expectWebSocketRefused(String path, int status) {
        WebSocket ws;
        try {
            ws = connect(path);
        } catch (WebSocketHandshakeException e) {
            if (e.status() == status) return;
            throw new AssertionError("expected the WebSocket upgrade of " + path + " to be refused with HTTP " + status
                    + ", the server answered HTTP " + e.status(), e);
        }
        ws.abort();
        throw new AssertionError("expected the WebSocket upgrade of " + path + " to be refused with HTTP " + status + ", it was accepted");
    }

    private WebSocket connect(String path, String... subprotocols) {
        WebSocketClient.Builder b = WebSocketClient.builder()
                .config(server.app().webSocketConfig())
                .connectTimeout(TIMEOUT).handshakeTimeout(TIMEOUT)
                .subprotocols(subprotocols);
        handshakeHeaders(path).forEach(b::header);
        return b.build().connect(server.webSocketUri(path));
    }

    /**
     * Opens a WebSocket to {@code path} on a raw socket that misbehaves when told to (stops
     * reading, sends invalid UTF-8, a fragment storm, an oversized message, resets mid-frame,
     * never answers pings), with this client's cookies and the server's Origin.
     *
     * @throws AssertionError if the server refuses the upgrade
     */
    public MisbehavingPeer misbehaving(String path) {
        return MisbehavingPeer.open(server.port(), path, handshakeHeaders(path), TIMEOUT);
    }
}
