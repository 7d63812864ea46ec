package io.loomsocket.web;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.connection.ConnectionRuntime;
import io.loomsocket.server.HttpExchange;
import io.loomsocket.server.HttpException;
import io.loomsocket.server.HttpHandler;
import io.loomsocket.server.HttpServer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/**
 * A web application: settings, URL patterns, middleware, templates and static files, served
 * by the embedded {@link HttpServer} ({@link #start()}, or {@link #run()} in the foreground
 * until SIGTERM). Each request runs on its connection's virtual thread; so does the view of a
 * WebSocket request, for the whole life of the WebSocket.
 *
 * <pre>{@code
 * WebApp.builder()
 *     .settings(Settings.builder().build())
 *     .urls(path("^echo$", acceptWebSocket(views::echo)))
 *     .build()
 *     .run();
 * }</pre>
 */
public final class WebApp implements HttpHandler {
    private static final System.Logger LOG = System.getLogger("io.loomsocket.web");

    /**
     * What the middleware chain and the view came to: a response to send, or an accepted
     * WebSocket whose view goes on after {@link #handle} returns ({@link WebSocketViewRun}, which
     * runs the response middleware itself).
     */
    private sealed interface Outcome permits Send, ViewContinues {}

    /** A response to send (after the response middleware). */
    private record Send(Response response) implements Outcome {}

    /** The connection was upgraded; the WebSocket view continues on the connection's thread. */
    private record ViewContinues() implements Outcome {}

    private final Settings settings;
    private final List<UrlPattern> urls;
    private final List<Middleware> middleware;
    private final Templates templates;
    private final WebSocketConfig webSocketConfig;
    private final OriginPolicy originPolicy;
    private final AllowedHosts allowedHosts;
    private final SecurityHeadersMiddleware securityHeaders;
    private final Json json;
    private final TrustedProxies trustedProxies;
    private final AccessLog accessLog;
    private final Explainer explainer = new Explainer();
    /** Null unless metrics.enabled: then Micrometer is on the class path (see {@link Metrics}). */
    private final Metrics metrics;
    /**
     * The threads of this app's WebSockets while a server started by {@link #start()} runs (closed
     * when it stops); null before: then they use the shared runtime.
     */
    private volatile ConnectionRuntime connectionRuntime;

    private WebApp(Builder b) {
        this.settings = b.settings != null ? b.settings : Settings.builder().build();
        ClassLoader loader = b.classLoader != null ? b.classLoader : Thread.currentThread().getContextClassLoader();
        List<UrlPattern> all = new ArrayList<>();
        this.metrics = settings.bool("metrics.enabled") ? newMetrics() : null;
        if (metrics != null) all.add(internalPattern("metrics.path", this::scrape, "metrics"));
        if (!settings.string("health.path").isEmpty()) all.add(internalPattern("health.path", WebApp::health, "health"));
        String staticDir = settings.string("static.dir");
        if (!staticDir.isEmpty()) {
            String prefix = settings.string("static.url");
            if (!prefix.startsWith("/") || !prefix.endsWith("/") || prefix.length() < 3) {
                throw new SettingsException("static.url must start and end with '/' and name a folder, e.g. /static/: '" + prefix + "'");
            }
            all.add(UrlPattern.of("^" + Pattern.quote(prefix.substring(1)) + "(?<path>.*)$",
                    StaticFiles.of(staticDir, loader, settings.bool("static.allow_hidden")), "static"));
        }
        all.addAll(b.urls);
        Explainer.checkUrls(b.urls);
        this.urls = Collections.unmodifiableList(all);
        this.accessLog = AccessLog.fromSettings(settings).orElse(null);
        List<Middleware> chain = new ArrayList<>();
        if (accessLog != null) chain.add(accessLog); // first: it sees every response
        chain.addAll(b.middleware != null ? b.middleware : defaultMiddleware());
        this.middleware = List.copyOf(chain);
        if (metrics != null && accessLog != null) metrics.bindAccessLog(accessLog);
        this.webSocketConfig = metrics == null ? settings.webSocketConfig()
                : settings.webSocketConfig().toBuilder().listener(metrics).build();
        this.originPolicy = OriginPolicy.parse(settings.string("websocket.allowed_origins"));
        this.allowedHosts = AllowedHosts.parse(settings.string("allowed_hosts"));
        this.securityHeaders = SecurityHeadersMiddleware.of(settings);
        this.json = Json.of(settings, b.json);
        this.trustedProxies = TrustedProxies.parse(settings.string("http.trusted_proxies"));
        this.templates = Templates.create(settings.string("templates.dir"), settings.bool("templates.cache"), loader);
    }

    private static Metrics newMetrics() {
        try {
            return new Metrics();
        } catch (NoClassDefFoundError e) {
            throw new SettingsException("metrics.enabled=true needs Micrometer on the class path: add the dependency"
                    + " io.micrometer:micrometer-registry-prometheus (" + e.getMessage() + " is missing)", e);
        }
    }

    /** A URL pattern for a path setting of the server's own ({@code /metrics}, ...): exactly that path. */
    private UrlPattern internalPattern(String setting, View view, String name) {
        String path = settings.string(setting);
        if (!path.startsWith("/") || path.length() < 2) {
            throw new SettingsException(setting + " must be a path like /" + name + ": '" + path + "'");
        }
        return UrlPattern.of("^" + Pattern.quote(path.substring(1)) + "$", view, name);
    }

    /**
     * The Prometheus scrape: to clients on this machine only, unless {@code metrics.allow_remote}
     * (behind a trusted proxy the client is the proxy's client, see {@link Request#clientAddress()}).
     */
    private Response scrape(Request request) {
        if (!settings.bool("metrics.allow_remote") && !Request.isLoopback(request.clientAddress())) {
            return Response.error(403, "metrics are served to loopback clients only (see metrics.allow_remote)");
        }
        return Response.bytes(metrics.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "text/plain; version=0.0.4; charset=utf-8");
    }

    /**
     * The health check for load balancers: 200 while serving, 503 from the moment the server is
     * asked to stop (through its {@code shutdown.drain_delay}, while it still serves everyone else).
     */
    private static Response health(Request request) {
        return request.exchange().serverDraining() ? Response.error(503, "draining") : Response.text("ok");
    }

    private static List<Middleware> defaultMiddleware() {
        return List.of(new WebSocketMiddleware());
    }

    public static Builder builder() {
        return new Builder();
    }

    public Settings settings() {
        return settings;
    }

    public Templates templates() {
        return templates;
    }

    /** The threads the WebSockets opened now run on: the started server's own, else the shared ones. */
    ConnectionRuntime connectionRuntime() {
        ConnectionRuntime r = connectionRuntime;
        return r != null && !r.isClosed() ? r : ConnectionRuntime.shared();
    }

    /** The {@code websocket.*} settings as core's config. */
    public WebSocketConfig webSocketConfig() {
        return webSocketConfig;
    }

    /** The JSON mapper of {@link Request#json}, {@link Response#json} and {@link JsonWebSocket}. */
    public Json json() {
        return json;
    }

    OriginPolicy originPolicy() {
        return originPolicy;
    }

    TrustedProxies trustedProxies() {
        return trustedProxies;
    }

    Explainer explainer() {
        return explainer;
    }

    /** Counts a WebSocket handshake refused before it was marked pending (see {@link Metrics#handshakeRefused}). */
    void refused(String reason, int status) {
        if (metrics != null) metrics.handshakeRefused(reason, status);
    }

    /** The URL patterns in the order they are tried (static files first, when configured). */
    public List<UrlPattern> urls() {
        return urls;
    }

    public List<Middleware> middleware() {
        return middleware;
    }

    /** The access log the {@code access_log} setting turned on, first in {@link #middleware()}. */
    public Optional<AccessLog> accessLog() {
        return Optional.ofNullable(accessLog);
    }

    /** The metrics, when {@code metrics.enabled}: add meters of your own to {@code metrics().get().registry()}. */
    public Optional<Metrics> metrics() {
        return Optional.ofNullable(metrics);
    }

    /** Starts the server on the configured host and port and returns it (stop it with {@code stop()}). */
    public HttpServer start() throws IOException {
        String host = settings.host();
        if (allowedHosts.loopbackOnly() && (host.equals("0.0.0.0") || host.equals("::"))) {
            LOG.log(System.Logger.Level.WARNING, "listening on " + host + " but allowed_hosts (ALLOWED_HOSTS) allows only "
                    + allowedHosts + ": requests for any other host name get 400; set it to the names this server is reached by");
        }
        ConnectionRuntime runtime = ConnectionRuntime.create("loomsocket-server");
        HttpServer server;
        try {
            connectionRuntime = runtime;
            server = HttpServer.start(settings.serverOptions(), this);
        } catch (IOException | RuntimeException e) {
            runtime.close();
            throw e;
        }
        // after the connections ended: the WebSockets' timer and flusher threads end with the server
        server.whenStopped(runtime::close);
        if (metrics != null) metrics.bind(server);
        if (accessLog != null) server.whenStopped(accessLog::close); // the last requests' lines
        return server;
    }

    /**
     * The launcher: chooses the JDK's platform-thread socket pollers unless the command line chose
     * ({@link HttpServer#preferPlatformPollers()}), starts the server and blocks until the JVM is
     * asked to stop (SIGTERM, SIGINT/Ctrl-C): then stops accepting, closes every WebSocket with 1001
     * and waits up to {@code shutdown.grace_period} for connections to finish.
     */
    public void run() throws IOException {
        HttpServer.preferPlatformPollers();
        HttpServer server = start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(settings.duration("shutdown.grace_period"), "the JVM is shutting down: SIGTERM, Ctrl-C or System.exit");
            System.err.println(server.stopSummary()); // the log's handlers may be closed by now (see stopSummary)
        }, "loomsocket-shutdown"));
        server.awaitStopped();
    }

    // ---- request handling ----

    /**
     * Checks the Host against {@code allowed_hosts} and the decoded path (both 400 before any
     * middleware runs), runs the middleware chain and the view, and sends the response with the
     * security headers.
     */
    @Override
    public void handle(HttpExchange exchange) throws IOException {
        Request request;
        try {
            request = new Request(this, exchange);
        } catch (HttpException e) { // undecodable path, or a control character in it
            send(exchange, securityHeaders.apply(Response.error(e.status(), e.getMessage())));
            return;
        }
        String host = request.host(); // the Host field, or the forwarded host a trusted proxy names
        if (!allowedHosts.allows(host)) {
            refused("host", 400);
            explainer.explain("host", () -> "refused Host '" + AccessLog.printable(host) + "' (400): add its name to allowed_hosts"
                    + " (ALLOWED_HOSTS) to serve it; it allows " + allowedHosts + ". A server listening on 0.0.0.0 must list"
                    + " the names clients use to reach it");
            send(exchange, securityHeaders.apply(Response.error(400, "Host not allowed (see allowed_hosts)")));
            return;
        }
        if (!(dispatch(request) instanceof Send send)) return; // the WebSocket view goes on
        Response response = send.response();
        try {
            response.writeJson(json); // a Response.json made by middleware after the view
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot write the JSON response of " + request, e);
            response = Response.error(500, "");
        }
        send(exchange, securityHeaders.apply(response));
    }

    /** The middleware chain around URL resolution and the view (see {@link Middleware}). */
    private Outcome dispatch(Request request) {
        int ran = 0;
        Outcome outcome = null;
        try {
            for (Middleware m : middleware) {
                ran++;
                Optional<Response> r = m.processRequest(request);
                if (r.isPresent()) {
                    r.get().writeJson(json);
                    outcome = new Send(r.get());
                    break;
                }
            }
            if (outcome == null) outcome = resolveAndRun(request, ran);
        } catch (Exception e) {
            outcome = new Send(handleException(request, e, ran));
        }
        return switch (outcome) {
            case ViewContinues v -> v; // WebSocketViewRun finishes the chain
            case Send(Response response) -> new Send(finish(request, response, ran));
        };
    }

    /** A response on its way out: counted if it refused a handshake, then the response middleware. */
    private Response finish(Request request, Response response, int ran) {
        if (metrics != null && request.pendingUpgrade() != null) {
            metrics.handshakeRefused(request.refusal != null ? request.refusal : "application", response.status());
        }
        return processResponse(request, response, ran);
    }

    /** The response middleware, last to first, over the {@code ran} that processed the request. */
    private Response processResponse(Request request, Response response, int ran) {
        for (int i = ran - 1; i >= 0; i--) {
            try {
                response = Objects.requireNonNull(middleware.get(i).processResponse(request, response),
                        () -> "processResponse returned null");
            } catch (Exception e) {
                LOG.log(System.Logger.Level.ERROR, "middleware " + middleware.get(i) + " failed in processResponse", e);
                response = request.websocketIfOpen().isPresent() ? Response.upgraded() : Response.error(500, "");
            }
        }
        return response;
    }

    private Outcome resolveAndRun(Request request, int ran) throws Exception {
        for (UrlPattern p : urls) {
            Optional<Map<String, String>> params = p.match(request.path());
            if (params.isEmpty()) continue;
            request.pathParams(params.get());
            request.urlPattern(p);
            View view = p.view();
            for (int i = 0; i < ran; i++) {
                Optional<Response> r = middleware.get(i).processView(request, view);
                if (r.isPresent()) return new Send(r.get());
            }
            return runView(request, view, ran);
        }
        return new Send(Response.error(404, "no URL pattern matches " + request.path()));
    }

    private Outcome runView(Request request, View view, int ran) throws Exception {
        WebSocketView marking = Views.webSocketMarking(view);
        if (request.isWebSocket()) {
            if (marking == null && !settings.webSocketAcceptAll()) {
                String pattern = request.urlPattern().regex().pattern();
                request.refusal = "not_websocket_view";
                explainer.explain("not-websocket " + pattern, () -> "WebSocket handshake to " + AccessLog.printable(request.path())
                        + " refused with 400: the view of URL pattern '" + pattern + "' (" + Explainer.describe(view)
                        + ") does not take WebSockets; mark it with acceptWebSocket(view) or requireWebSocket(view)"
                        + " (annotations count only through Views.scan), or set websocket.accept_all");
                return new Send(Response.error(400, "this URL does not take WebSocket requests"));
            }
            // every decorator answers before the upgrade: a refusal is an HTTP response, never after a 101
            View inner = view;
            while (true) {
                if (inner instanceof DecoratedView d) {
                    Optional<Response> refused = d.check(request);
                    if (refused.isPresent()) return new Send(refused.get());
                    inner = d.inner();
                } else if (inner instanceof WebSocketView w) {
                    inner = w.view();
                } else {
                    break;
                }
            }
            WebSocket ws = request.pendingUpgrade().accept(marking == null ? List.of() : marking.subprotocols());
            request.websocket(ws);
            if (metrics != null) metrics.handshakeAccepted();
            request.exchange().afterHandler(new WebSocketViewRun(request, inner, ws, ran));
            return new ViewContinues();
        }
        if (marking != null && marking.mode() == WebSocketView.Mode.REQUIRE) {
            return new Send(Response.error(400, "this URL takes WebSocket requests only"));
        }
        Response r = view.handle(request);
        if (r == null) throw new IllegalStateException("view " + view + " returned no response");
        r.writeJson(json); // now, so that response middleware sees the bytes and a failure is the view's 500
        return new Send(r);
    }

    /**
     * The rest of a WebSocket request, run by the connection's thread after {@link #handle} has
     * returned ({@link HttpExchange#afterHandler}): the view, then the response middleware. The view
     * waits for messages with this call as the only frame between it and the connection's loop;
     * the frames of a parked virtual thread stay on the heap, so each frame less is memory saved
     * on every idle connection. Closes with 1000 when the view returns, 1011 if it throws
     * (RFC 6455 §7.4.1).
     */
    private final class WebSocketViewRun implements Runnable {
        private final Request request;
        private final View view;
        private final WebSocket ws;
        private final int ran;

        WebSocketViewRun(Request request, View view, WebSocket ws, int ran) {
            this.request = request;
            this.view = view;
            this.ws = ws;
            this.ran = ran;
        }

        @Override
        public void run() {
            try {
                Response ignored = Views.callable(view).handle(request);
                if (ignored != null && !ignored.isUpgraded()) {
                    String pattern = request.urlPattern().regex().pattern();
                    explainer.explain("websocket-response " + pattern, () -> "the WebSocket view of URL pattern '" + pattern + "' ("
                            + Explainer.describe(view) + ") returned a " + ignored.status() + " response, which is ignored: the client"
                            + " has a WebSocket, not an HTTP response; send what it should see with request.websocket().send(...)"
                            + " and return null");
                }
                closeQuietly(ws, 1000, "");
            } catch (Exception | Error e) {
                if (e instanceof InvalidMessageException refused) {
                    // a message the view could not take (JsonWebSocket): the peer's fault, closed with the code it chose
                    LOG.log(System.Logger.Level.DEBUG, () -> "WebSocket view on " + request.path() + " refused a message: " + refused.getMessage());
                    closeQuietly(ws, refused.closeCode(), refused.closeReason());
                } else if (e instanceof WebSocketClosedException && ws.state() != WebSocket.State.OPEN) {
                    // the peer closed (or the connection failed) while the view was sending: the normal
                    // end of a view that does not watch for the close itself, not a failure of the view
                    LOG.log(System.Logger.Level.DEBUG, () -> "WebSocket view on " + request.path() + " ended by its closed connection: " + e.getMessage());
                    closeQuietly(ws, 1000, "");
                } else {
                    LOG.log(System.Logger.Level.ERROR, "WebSocket view of URL pattern '" + request.urlPattern().regex().pattern() + "' ("
                            + Explainer.describe(view) + ") failed on " + request + "; closing with 1011", e);
                    closeQuietly(ws, 1011, "view failed");
                    if (e instanceof Error err) throw err;
                }
            }
            processResponse(request, Response.upgraded(), ran);
        }
    }

    private static void closeQuietly(WebSocket ws, int code, String reason) {
        try {
            ws.close(code, reason);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "closing the WebSocket failed: " + e);
        }
    }

    private Response handleException(Request request, Exception e, int ran) {
        for (int i = ran - 1; i >= 0; i--) {
            try {
                Optional<Response> r = middleware.get(i).processException(request, e);
                if (r.isPresent()) return r.get();
            } catch (RuntimeException again) {
                LOG.log(System.Logger.Level.ERROR, "middleware " + middleware.get(i) + " failed in processException", again);
            }
        }
        if (request.websocketIfOpen().isPresent()) {
            LOG.log(System.Logger.Level.ERROR, "failure after the WebSocket upgrade of " + request.path(), e);
            return Response.upgraded();
        }
        if (e instanceof HttpException he) return Response.error(he.status(), he.getMessage());
        UrlPattern p = request.urlPattern();
        LOG.log(System.Logger.Level.ERROR, (p == null ? "middleware" : "the view of URL pattern '" + p.regex().pattern() + "' ("
                + Explainer.describe(p.view()) + ")") + " failed on " + request + "; answering 500", e);
        return Response.error(500, "");
    }

    private static void send(HttpExchange exchange, Response r) throws IOException {
        if (r.isUpgraded() || exchange.upgraded()) return; // no HTTP bytes after an upgrade
        if (r.writer() == null) exchange.respond(r.status(), r.headers(), r.content());
        else if (r.length() >= 0) exchange.respond(r.status(), r.headers(), r.length(), r.writer());
        else exchange.respond(r.status(), r.headers(), r.writer());
    }

    /** Builds a {@link WebApp}. */
    public static final class Builder {
        private Settings settings;
        private final List<UrlPattern> urls = new ArrayList<>();
        private List<Middleware> middleware;
        private ClassLoader classLoader;
        private UnaryOperator<JsonMapper.Builder> json = UnaryOperator.identity();

        private Builder() {}

        /** The settings (default: {@code Settings.builder().build()}, defaults plus environment). */
        public Builder settings(Settings s) {
            this.settings = s;
            return this;
        }

        /** Adds URL patterns, tried in order after those added before. */
        public Builder urls(UrlPattern... patterns) {
            urls.addAll(List.of(patterns));
            return this;
        }

        public Builder urls(List<UrlPattern> patterns) {
            urls.addAll(patterns);
            return this;
        }

        /**
         * The middleware chain, in order (replaces the default, which is just the WebSocket
         * middleware; include it yourself when you set a chain that should take WebSockets).
         */
        public Builder middleware(Middleware... chain) {
            this.middleware = List.of(chain);
            return this;
        }

        public Builder middleware(List<Middleware> chain) {
            this.middleware = List.copyOf(chain);
            return this;
        }

        /** Where classpath templates and static files are found (default: the context class loader). */
        public Builder classLoader(ClassLoader loader) {
            this.classLoader = loader;
            return this;
        }

        /**
         * Configures the application's Jackson mapper: {@code configure} gets a builder on a
         * factory with the {@code json.*} limits and may add modules, naming strategies and
         * features ({@code b -> b.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)}).
         */
        public Builder json(UnaryOperator<JsonMapper.Builder> configure) {
            this.json = Objects.requireNonNull(configure, "configure");
            return this;
        }

        public WebApp build() {
            return new WebApp(this);
        }
    }
}
