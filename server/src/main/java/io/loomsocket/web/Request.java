package io.loomsocket.web;

import io.loomsocket.WebSocket;
import io.loomsocket.engine.HttpHeaders;
import io.loomsocket.engine.HttpTokens;
import io.loomsocket.server.HttpException;
import io.loomsocket.server.HttpExchange;
import io.loomsocket.server.HttpRequestHead;
import io.loomsocket.web.auth.AuthenticationMiddleware;
import io.loomsocket.web.auth.Session;
import io.loomsocket.web.auth.SessionMiddleware;
import io.loomsocket.web.auth.User;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import tools.jackson.core.type.TypeReference;

/**
 * An HTTP request as a view sees it (Django's {@code HttpRequest}). For a WebSocket handshake,
 * {@link #isWebSocket()} is true from the moment {@link WebSocketMiddleware} recognised it, so
 * middleware can refuse it before the upgrade; {@link #websocket()} is available in the view,
 * after the upgrade. Used by one thread at a time (the connection's).
 */
public final class Request {
    private final WebApp app;
    private final HttpExchange exchange;
    private final HttpRequestHead head;
    private final String path;
    private Params query;
    private Params form;
    private Map<String, String> cookies;
    private Map<String, String> pathParams = Map.of();
    /** Sized for the few that middleware puts (session, CSRF state, user): 8 slots, not 16. */
    private final Map<String, Object> attributes = new ConcurrentHashMap<>(4);
    private WebSocketUpgrade pendingUpgrade;
    private WebSocket websocket;
    private TrustedProxies.View clientView;
    private UrlPattern urlPattern;
    /** Why the web layer refused this WebSocket handshake (a metrics label), null if it did not. */
    String refusal;

    Request(WebApp app, HttpExchange exchange) {
        this.app = app;
        this.exchange = exchange;
        this.head = exchange.request();
        this.path = checkedPath(Params.decode(head.path(), false));
    }

    /**
     * The decoded path, refused with 400 if it holds a C0 or C1 control character, DEL, or a Unicode
     * line or paragraph separator (U+2028, U+2029; U+0085 is a C1 control), as Spring's
     * StrictHttpFirewall does: no URL needs one, and a path ending in a line terminator could
     * slip past middleware that compares paths exactly while a regex with {@code $} still matches.
     */
    static String checkedPath(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
                throw new HttpException(400, "control character or line separator in the path");
            }
        }
        return path;
    }

    /** The method, upper case as sent: GET, HEAD, POST, PUT, DELETE, ... */
    public String method() {
        return head.method();
    }

    /** The path, percent-decoded, with its leading slash ({@code /echo}). */
    public String path() {
        return path;
    }

    /** The path and query as received, still encoded (Django's {@code get_full_path()}): {@code /a%20b?x=1}. */
    public String fullPath() {
        return head.rawQuery().isEmpty() ? head.path() : head.path() + "?" + head.rawQuery();
    }

    /** The query string as received (still encoded), empty if none. */
    public String queryString() {
        return head.rawQuery();
    }

    /** The query parameters (Django's {@code request.GET}). */
    public Params query() {
        if (query == null) query = Params.parse(head.rawQuery());
        return query;
    }

    /**
     * The form fields of an {@code application/x-www-form-urlencoded} body (Django's
     * {@code request.POST}); empty for other bodies.
     */
    public Params form() {
        if (form == null) {
            String type = header("Content-Type").orElse("").toLowerCase(Locale.ROOT);
            form = type.startsWith("application/x-www-form-urlencoded")
                    ? Params.parse(new String(exchange.body(), StandardCharsets.UTF_8))
                    : Params.empty();
        }
        return form;
    }

    /** A query parameter, else a form field, of that name. */
    public Optional<String> param(String name) {
        Optional<String> q = query().first(name);
        return q.isPresent() ? q : form().first(name);
    }

    public HttpHeaders headers() {
        return head.headers();
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(head.headers().get(name));
    }

    /** Cookies sent in {@code Cookie} (RFC 6265 §5.4), first value of a name wins. */
    public Map<String, String> cookies() {
        if (cookies == null && !head.headers().contains("Cookie")) cookies = Map.of(); // most WebSocket clients send none
        if (cookies == null) {
            Map<String, String> map = new LinkedHashMap<>();
            for (String header : head.headers().getAll("Cookie")) {
                for (String pair : header.split(";")) {
                    int eq = pair.indexOf('=');
                    if (eq <= 0) continue;
                    String name = HttpTokens.trimOws(pair.substring(0, eq));
                    String value = HttpTokens.trimOws(pair.substring(eq + 1));
                    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                        value = value.substring(1, value.length() - 1);
                    }
                    map.putIfAbsent(name, value);
                }
            }
            cookies = map.isEmpty() ? Map.of() : Collections.unmodifiableMap(map);
        }
        return cookies;
    }

    public Optional<String> cookie(String name) {
        return Optional.ofNullable(cookies().get(name));
    }

    /** The body bytes (de-chunked; empty if none). Do not modify the array. */
    public byte[] body() {
        return exchange.body();
    }

    /** The body decoded as UTF-8. */
    public String bodyText() {
        return new String(exchange.body(), StandardCharsets.UTF_8);
    }

    /**
     * The body read as JSON of {@code type} (a record, a class, {@code Map.class}, ...) by the
     * application's mapper ({@link WebApp#json()}), within the {@code json.*} limits.
     *
     * @throws HttpException 415 unless {@code Content-Type} is {@code application/json} or
     *     {@code application/*+json}; 400 if the body is not JSON, is over a limit or does not
     *     match {@code type}, with the reason (a view that lets it escape answers with it)
     */
    public <T> T json(Class<T> type) {
        return readJson(body -> app.json().read(body, type));
    }

    /** {@link #json(Class)} for a generic type: {@code request.json(new TypeReference<List<Point>>() {})}. */
    public <T> T json(TypeReference<T> type) {
        return readJson(body -> app.json().read(body, type));
    }

    private <T> T readJson(Function<byte[], T> read) {
        String type = header("Content-Type").orElse("");
        int semicolon = type.indexOf(';');
        String media = (semicolon < 0 ? type : type.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
        if (!media.equals("application/json") && !(media.startsWith("application/") && media.endsWith("+json"))) {
            throw new HttpException(415, "expected a JSON body (Content-Type: application/json), got "
                    + (type.isEmpty() ? "no Content-Type" : "'" + type + "'"));
        }
        try {
            return read.apply(exchange.body());
        } catch (JsonReadException e) {
            throw new HttpException(400, e.getMessage());
        }
    }

    /** The named groups of the URL pattern that matched. */
    public Map<String, String> pathParams() {
        return pathParams;
    }

    /** One named group of the URL pattern that matched. */
    public String pathParam(String name) {
        String v = pathParams.get(name);
        if (v == null) throw new IllegalArgumentException("the URL pattern has no group named '" + name + "'");
        return v;
    }

    void pathParams(Map<String, String> params) {
        this.pathParams = params.isEmpty() ? Map.of() : Collections.unmodifiableMap(params);
    }

    /** The URL pattern that matched (null before URL resolution, or when none did). */
    UrlPattern urlPattern() {
        return urlPattern;
    }

    void urlPattern(UrlPattern p) {
        this.urlPattern = p;
    }

    /** True for a WebSocket handshake request (dwebsocket's {@code is_websocket()}). */
    public boolean isWebSocket() {
        return pendingUpgrade != null || websocket != null;
    }

    /**
     * The WebSocket of this request, once the view runs (dwebsocket's {@code request.websocket}).
     *
     * @throws IllegalStateException for a plain HTTP request, or before the upgrade (in middleware)
     */
    public WebSocket websocket() {
        if (websocket == null) {
            throw new IllegalStateException(isWebSocket()
                    ? "the WebSocket is opened just before the view runs; middleware sees the request before the upgrade"
                    : "not a WebSocket request (check isWebSocket(), or mark the view acceptWebSocket/requireWebSocket)");
        }
        return websocket;
    }

    /** Like {@link #websocket()}, empty instead of throwing (dwebsocket's {@code None}). */
    public Optional<WebSocket> websocketIfOpen() {
        return Optional.ofNullable(websocket);
    }

    /** The TCP peer's address (a proxy's, behind one; see {@link #clientAddress()}). */
    public SocketAddress remoteAddress() {
        return exchange.remoteAddress();
    }

    /**
     * The client's address as logs and policies see it ({@code 127.0.0.1}, {@code ::1}): the TCP
     * peer's, or, when the peer is one of {@code http.trusted_proxies}, the client its forwarding
     * headers name (see {@link TrustedProxies#resolve} for the rule). An IP literal, or an RFC 7239
     * token ({@code unknown}, {@code _hidden}) when a trusted proxy says so.
     */
    public String clientAddress() {
        return clientView().clientAddress();
    }

    /**
     * The host the client asked for ({@code Host}, or a trusted proxy's {@code X-Forwarded-Host} /
     * {@code Forwarded: host=}); what the Origin check compares an {@code Origin} with. Null if none.
     */
    public String host() {
        return clientView().host();
    }

    /** The client's side of the request: computed once, here only (see {@link TrustedProxies#resolve}). */
    private TrustedProxies.View clientView() {
        if (clientView == null) {
            clientView = app.trustedProxies().resolve(hostAddress(exchange.remoteAddress()), exchange.isSecure(), head.authority(), head.headers());
        }
        return clientView;
    }

    /** True for an IP literal of the loopback network (127.0.0.0/8, ::1). */
    static boolean isLoopback(String ip) {
        return ip.startsWith("127.") || ip.equals("::1") || ip.equals("0:0:0:0:0:0:0:1");
    }

    private static String hostAddress(SocketAddress a) {
        if (a instanceof InetSocketAddress isa && isa.getAddress() != null) return isa.getAddress().getHostAddress();
        return String.valueOf(a);
    }

    /**
     * True over HTTPS / WSS: this server's TLS, or a trusted proxy's (its {@code X-Forwarded-Proto}
     * or {@code Forwarded: proto=} says {@code https}).
     */
    public boolean isSecure() {
        return clientView().secure();
    }

    /** Per-request attributes, for middleware to pass things to views (the authenticated user, ...). */
    public Map<String, Object> attributes() {
        return attributes;
    }

    /**
     * The logged-in user (Django's {@code request.user}), put here by {@code AuthenticationMiddleware};
     * {@link User#ANONYMOUS} when nobody is logged in or that middleware is not in the chain. For a
     * WebSocket it is the user of the handshake, for the connection's whole life.
     */
    public User user() {
        return AuthenticationMiddleware.user(this);
    }

    /**
     * The session (Django's {@code request.session}), from {@code SessionMiddleware}.
     *
     * @throws IllegalStateException if SessionMiddleware is not in the chain
     */
    public Session session() {
        return SessionMiddleware.session(this);
    }

    /** The application serving this request (settings, templates). */
    public WebApp app() {
        return app;
    }

    HttpExchange exchange() {
        return exchange;
    }

    WebSocketUpgrade pendingUpgrade() {
        return pendingUpgrade;
    }

    void pendingUpgrade(WebSocketUpgrade upgrade) {
        this.pendingUpgrade = upgrade;
    }

    void websocket(WebSocket ws) {
        this.websocket = ws;
        this.pendingUpgrade = null;
        // the handshake's checks are done: the view may ask again (it is computed anew), while an
        // idle WebSocket does not keep it
        this.clientView = null;
    }

    @Override
    public String toString() {
        // the path only: an absolute-form target's user-info and a query's tokens stay out of logs
        return method() + " " + head.path() + (isWebSocket() ? " (WebSocket)" : "");
    }
}
