package io.loomsocket.web;

import static io.loomsocket.web.Views.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.engine.Frame;
import io.loomsocket.engine.FrameWriter;
import io.loomsocket.engine.MaskSource;
import io.loomsocket.engine.OpCode;
import io.loomsocket.engine.Role;
import io.loomsocket.server.HttpServer;
import io.loomsocket.server.RawHttp;
import io.loomsocket.testing.IntegrationTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** WebSocket views end to end over real sockets: upgrade, echo, close codes, refusals, shutdown. */
@IntegrationTest
class WebSocketViewTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private HttpServer server;

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
        if (server != null) server.stop(Duration.ofSeconds(2));
    }

    static Response echo(Request r) {
        if (!r.isWebSocket()) return Response.text(r.query().get("message", "page"));
        WebSocket ws = r.websocket();
        for (Message m : ws) ws.send(m);
        return null;
    }

    static Response echoOnce(Request r) {
        WebSocket ws = r.websocket();
        ws.receive().ifPresent(ws::send);
        return null;
    }

    private static Message next(WebSocket ws) {
        return ws.receive(WAIT).orElseThrow();
    }

    private static void awaitClosed(WebSocket ws) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!ws.isClosed() && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(ws.isClosed()).isTrue();
    }

    @Test
    void echoKeepsTextAsTextAndBinaryAsBinary() throws Exception {
        int port = start(path("^echo$", acceptWebSocket(WebSocketViewTest::echo)));
        WebSocket ws = WsTestClient.open(port, "/echo");
        ws.send("h\u00e9llo \uD83D\uDE00");
        ws.send(new byte[] {1, 2, 3, (byte) 0xff});
        ws.send("x".repeat(100_000));
        assertThat(next(ws)).isEqualTo(Message.text("h\u00e9llo \uD83D\uDE00"));
        assertThat(next(ws)).isEqualTo(Message.binary(new byte[] {1, 2, 3, (byte) 0xff}));
        assertThat(next(ws).text()).hasSize(100_000);
        assertThat(ws.extensions()).contains("permessage-deflate");
        ws.close();
        assertThat(ws.closeCode().getAsInt()).isEqualTo(1000);
        // the same view over plain HTTP
        assertThat(RawHttp.exchange(port, "GET /echo?message=hi HTTP/1.1\r\nHost: localhost\r\n\r\n").text()).isEqualTo("hi");
    }

    @Test
    void viewReturningClosesWith1000AndThrowingWith1011() throws Exception {
        int port = start(
                path("^echo_once$", requireWebSocket(WebSocketViewTest::echoOnce)),
                path("^fail$", requireWebSocket(r -> { throw new IllegalStateException("view bug"); })));
        WebSocket once = WsTestClient.open(port, "/echo_once");
        once.send("only");
        assertThat(next(once).text()).isEqualTo("only");
        assertThat(once.receive(WAIT)).isEmpty();
        awaitClosed(once);
        assertThat(once.closeCode().getAsInt()).isEqualTo(1000);

        WebSocket failing = WsTestClient.open(port, "/fail");
        assertThat(failing.receive(WAIT)).isEmpty();
        awaitClosed(failing);
        assertThat(failing.closeCode().getAsInt()).isEqualTo(1011);
    }

    @Test
    void aClosedExceptionFromElsewhereWhileTheViewsSocketIsOpenIsStillAFailure() throws Exception {
        // only the view's own closed connection ends it quietly; this one is open, so 1011
        int port = start(path("^other$", requireWebSocket(r -> { throw new WebSocketClosedException(1000, "some other socket"); })));
        WebSocket ws = WsTestClient.open(port, "/other");
        assertThat(ws.receive(WAIT)).isEmpty();
        awaitClosed(ws);
        assertThat(ws.closeCode().getAsInt()).isEqualTo(1011);
    }

    @Test
    void webSocketToAPlainViewIs400UnlessAcceptAll() throws Exception {
        UrlPattern plain = path("^plain$", r -> {
            if (r.isWebSocket()) {
                r.websocket().send("accepted anyway");
                return null;
            }
            return Response.text("plain");
        });
        int port = start(plain);
        var refused = WsTestClient.connect(port, "/plain", List.of(), Map.of(), false);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.response().text()).contains("does not take WebSocket");
        server.stop();

        port = start(Settings.builder().webSocketAcceptAll(true), null, plain);
        WebSocket ws = WsTestClient.open(port, "/plain");
        assertThat(next(ws).text()).isEqualTo("accepted anyway");
    }

    @Test
    void badHandshakesGet400Or426() throws IOException {
        int port = start(path("^echo$", acceptWebSocket(WebSocketViewTest::echo)));
        var noKey = RawHttp.exchange(port, "GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n");
        assertThat(noKey.status()).isEqualTo(400);
        var oldVersion = RawHttp.exchange(port, "GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n");
        assertThat(oldVersion.status()).isEqualTo(426);
        assertThat(oldVersion.header("sec-websocket-version")).isEqualTo("13");
        var post = RawHttp.exchange(port, "POST /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n");
        assertThat(post.status()).isEqualTo(400);
    }

    /** Refuses WebSocket requests without ?token=good, before the upgrade. */
    static final class TokenAuth implements Middleware {
        final List<String> seen = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Optional<Response> processRequest(Request r) {
            seen.add(r.path() + " websocket=" + r.isWebSocket());
            if (r.isWebSocket() && !r.query().get("token", "").equals("good")) return Optional.of(Response.error(401, "token needed"));
            return Optional.empty();
        }
    }

    @Test
    void middlewareSeesTheWebSocketRequestBeforeTheUpgradeAndCanRefuseIt() throws Exception {
        TokenAuth auth = new TokenAuth();
        int port = start(Settings.builder(), List.of(new WebSocketMiddleware(), auth),
                path("^echo$", acceptWebSocket(WebSocketViewTest::echo)));
        var refused = WsTestClient.connect(port, "/echo?token=bad", List.of(), Map.of(), true);
        assertThat(refused.status()).isEqualTo(401);
        WebSocket ws = WsTestClient.open(port, "/echo?token=good");
        ws.send("in");
        assertThat(next(ws).text()).isEqualTo("in");
        ws.close();
        assertThat(auth.seen).containsExactly("/echo websocket=true", "/echo websocket=true");
    }

    /**
     * A WebSocket view runs after the web layer's handler has returned (HttpExchange.afterHandler):
     * no dispatch frames under it (an idle view parks with its whole stack on the heap), yet the
     * response middleware still runs, once, after the view has ended.
     */
    @Test
    void aWebSocketViewRunsBelowNoDispatchFramesAndResponseMiddlewareFollowsIt() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch responded = new CountDownLatch(1);
        Middleware watcher = new Middleware() {
            @Override
            public Response processResponse(Request request, Response response) {
                events.add("processResponse upgraded=" + response.isUpgraded());
                responded.countDown();
                return response;
            }
        };
        View view = r -> {
            List<String> frames = StackWalker.getInstance().walk(st -> st
                    .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName()).toList());
            events.add("view frames " + frames);
            WebSocket ws = r.websocket();
            ws.receive().ifPresent(ws::send);
            events.add("view ended");
            return null;
        };
        int port = start(Settings.builder(), List.of(new WebSocketMiddleware(), watcher), path("^ws$", acceptWebSocket(view)));
        WebSocket ws = WsTestClient.open(port, "/ws");
        ws.send("once");
        assertThat(next(ws).text()).isEqualTo("once");
        assertThat(responded.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(events).hasSize(3);
        // the view runner is the only frame between the view and the connection's run(): neither the
        // request loop (Connection.serve) nor the handler's frames stay under a parked view
        assertThat(events.get(0)).contains("WebApp$WebSocketViewRun.run, Connection.run")
                .doesNotContain("WebApp.dispatch", "WebApp.handle", "Connection.handle", "WebSocketView.handle", "Connection.serve");
        assertThat(events.subList(1, 3)).containsExactly("view ended", "processResponse upgraded=true");
    }

    /** Cross-site WebSocket hijacking: a browser on another site is refused (RFC 6455 §10.2). */
    @Test
    void browsersFromOtherOriginsGet403() throws Exception {
        int port = start(Settings.builder().set("websocket.allowed_origins", "https://*.example.com"), null,
                path("^echo$", acceptWebSocket(WebSocketViewTest::echo)));
        var evil = WsTestClient.connect(port, "/echo", List.of(), Map.of("Origin", "https://evil.test"), false);
        assertThat(evil.status()).isEqualTo(403);
        var same = WsTestClient.connect(port, "/echo", List.of(), Map.of("Origin", "http://127.0.0.1:" + port), false);
        assertThat(same.status()).isEqualTo(101);
        same.ws().close();
        var listed = WsTestClient.connect(port, "/echo", List.of(), Map.of("Origin", "https://app.example.com"), false);
        assertThat(listed.status()).isEqualTo(101);
        listed.ws().close();
        var nonBrowser = WsTestClient.connect(port, "/echo", List.of(), Map.of(), false);
        assertThat(nonBrowser.status()).isEqualTo(101);
        nonBrowser.ws().close();
    }

    /**
     * Same origin is scheme+host+port (RFC 6454 §5): an https page is not this plain-HTTP server's
     * origin. A browser sends one Origin (RFC 6454 §7.3); with several the check cannot know which
     * is the browser's, so the handshake is refused like any foreign origin.
     */
    @Test
    void theSameOriginCheckComparesTheSchemeAndWantsOneOrigin() throws Exception {
        int port = start(Settings.builder(), null, path("^echo$", acceptWebSocket(WebSocketViewTest::echo)));
        String self = "127.0.0.1:" + port;
        assertThat(WsTestClient.connect(port, "/echo", List.of(), Map.of("Origin", "https://" + self), false).status()).isEqualTo(403);
        assertThat(WsTestClient.connect(port, "/echo", List.of(), Map.of("Origin", "wss://" + self), false).status()).isEqualTo(403);
        String handshake = "GET /echo HTTP/1.1\r\nHost: " + self + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
        for (String origins : List.of("Origin: http://" + self + "\r\nOrigin: https://evil.test\r\n",
                "Origin: https://evil.test\r\nOrigin: http://" + self + "\r\n",
                "Origin: http://" + self + "\r\nOrigin: http://" + self + "\r\n")) {
            var r = RawHttp.exchange(port, handshake + origins + "\r\n");
            assertThat(r.status()).as(origins).isEqualTo(403);
            assertThat(r.text()).as(origins).contains("more than one Origin");
        }
        var same = WsTestClient.connect(port, "/echo", List.of(), Map.of("Origin", "http://" + self), false);
        assertThat(same.status()).isEqualTo(101);
        same.ws().close();
    }

    @Test
    void withoutTheMiddlewareAWebSocketRequestIsPlainHttp() throws Exception {
        int port = start(Settings.builder(), List.of(), path("^ws$", requireWebSocket(WebSocketViewTest::echoOnce)));
        assertThat(WsTestClient.connect(port, "/ws", List.of(), Map.of(), true).status()).isEqualTo(400);
    }

    @Test
    void subprotocolIsNegotiatedFromTheViewsDeclaration() throws Exception {
        int port = start(path("^chat$", requireWebSocket(r -> {
            r.websocket().send("proto=" + r.websocket().subprotocol().orElse("none"));
            r.websocket().receive();
            return null;
        }).subprotocols("chat.v2", "chat.v1")));
        var o = WsTestClient.connect(port, "/chat", List.of("other", "chat.v1"), Map.of(), true);
        assertThat(o.response().header("sec-websocket-protocol")).isEqualTo("chat.v1");
        assertThat(next(o.ws()).text()).isEqualTo("proto=chat.v1");
        o.ws().close();
        var none = WsTestClient.connect(port, "/chat", List.of("unknown"), Map.of(), true);
        assertThat(none.response().header("sec-websocket-protocol")).isNull();
        assertThat(next(none.ws()).text()).isEqualTo("proto=none");
        none.ws().close();
    }

    /** dwebsocket wrote an HTTP response into the socket after the WebSocket closed; we must not. */
    @Test
    void noHttpBytesReachTheSocketAfterTheUpgrade() throws Exception {
        int port = start(path("^ws$", acceptWebSocket(r -> Response.text("SHOULD NOT APPEAR"))));
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            var head = raw.read();
            assertThat(head.status()).isEqualTo(101);
            assertThat(head.header("sec-websocket-accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            // the view returned at once: the server's close frame 1000 comes, we answer it
            byte[] closeFrame = raw.socket.getInputStream().readNBytes(4);
            assertThat(closeFrame).containsExactly(0x88, 0x02, 0x03, 0xe8);
            byte[] reply = new FrameWriter(Role.CLIENT, MaskSource.fixed(0x12345678))
                    .encode(Frame.of(OpCode.CLOSE, new byte[] {0x03, (byte) 0xe8}));
            raw.socket.getOutputStream().write(reply);
            byte[] rest = raw.readRest();
            assertThat(new String(rest, StandardCharsets.ISO_8859_1)).isEmpty();
        }
    }

    @Test
    void gracefulShutdownClosesWebSocketsWith1001() throws Exception {
        CountDownLatch viewEnded = new CountDownLatch(1);
        int port = start(path("^echo$", acceptWebSocket(r -> {
            try {
                return echo(r);
            } finally {
                viewEnded.countDown();
            }
        })));
        WebSocket a = WsTestClient.open(port, "/echo");
        WebSocket b = WsTestClient.open(port, "/echo");
        a.send("before");
        assertThat(next(a).text()).isEqualTo("before");
        long t0 = System.nanoTime();
        server.stop(Duration.ofSeconds(5));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
        for (WebSocket ws : List.of(a, b)) {
            assertThat(ws.receive(WAIT)).isEmpty();
            awaitClosed(ws);
            assertThat(ws.closeCode().getAsInt()).isEqualTo(1001);
        }
        assertThat(viewEnded.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(server.openConnections()).isZero();
        server = null;
    }

    @Test
    void manyConcurrentWebSocketsEachOnItsOwnVirtualThread() throws Exception {
        int port = start(path("^echo$", acceptWebSocket(WebSocketViewTest::echo)));
        List<WebSocket> sockets = new ArrayList<>();
        for (int i = 0; i < 200; i++) sockets.add(WsTestClient.open(port, "/echo"));
        for (int i = 0; i < sockets.size(); i++) sockets.get(i).send("n" + i);
        for (int i = 0; i < sockets.size(); i++) assertThat(next(sockets.get(i)).text()).isEqualTo("n" + i);
        assertThat(server.openConnections()).isEqualTo(200);
        for (WebSocket ws : sockets) ws.close();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.openConnections() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(server.openConnections()).as("every connection ended with its view").isZero();
    }
}
