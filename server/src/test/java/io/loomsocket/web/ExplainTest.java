package io.loomsocket.web;

import static io.loomsocket.web.Views.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.server.HttpServer;
import io.loomsocket.testing.IntegrationTest;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server says in its log why it refused a handshake or ignored what a view did, once per cause. */
@IntegrationTest
class ExplainTest {
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) server.stop(Duration.ofSeconds(2));
    }

    private int start(UrlPattern... urls) throws IOException {
        server = WebApp.builder().settings(Settings.builder().environment(Map.of()).port(0).build()).urls(urls).build().start();
        return server.port();
    }

    /** A views class as Views.scan reads it. */
    public static final class AnnotatedViews {
        @AcceptWebSocket
        public Response echo(Request request) {
            return null;
        }

        public Response page(Request request) {
            return Response.text("page");
        }
    }

    @Test
    void aForeignOriginIsExplainedOnceNamingTheSetting() throws IOException {
        try (LogCapture log = LogCapture.of("io.loomsocket.web")) {
            int port = start(path("^ws$", acceptWebSocket(r -> null)));
            for (int i = 0; i < 3; i++) {
                var o = WsTestClient.connect(port, "/ws", List.of(), Map.of("Origin", "https://evil.example"), false);
                assertThat(o.status()).isEqualTo(403);
            }
            List<String> lines = log.containing("refused with 403");
            assertThat(lines).hasSize(1); // rate-limited: once per cause
            assertThat(lines.get(0)).startsWith("WARNING: ").contains("/ws", "https://evil.example", "websocket.allowed_origins");
        }
    }

    @Test
    void aWebSocketHandshakeToAPlainViewIsExplained() throws IOException {
        try (LogCapture log = LogCapture.of("io.loomsocket.web")) {
            int port = start(path("^plain$", r -> Response.text("plain")));
            assertThat(WsTestClient.connect(port, "/plain", List.of(), Map.of(), false).status()).isEqualTo(400);
            assertThat(log.containing("refused with 400")).singleElement().asString()
                    .contains("URL pattern '^plain$'", "a lambda", "acceptWebSocket", "websocket.accept_all").doesNotContain("$$Lambda");
        }
    }

    @Test
    void aPatternWithALeadingSlashIsExplainedWhenTheListIsBuilt() {
        try (LogCapture log = LogCapture.of("io.loomsocket.web")) {
            WebApp.builder().settings(Settings.defaults()).urls(path("^/echo$", r -> null), path("^fine$", r -> null)).build();
            assertThat(log.containing("can never match")).singleElement().asString()
                    .contains("'^/echo$'", "write '^echo$'");
        }
    }

    @Test
    void anAnnotatedMethodUsedAsAMethodReferenceIsExplained() {
        AnnotatedViews views = new AnnotatedViews();
        try (LogCapture log = LogCapture.of("io.loomsocket.web")) {
            WebApp.builder().settings(Settings.defaults()).urls(path("^echo$", views::echo), path("^page$", views::page)).build();
            assertThat(log.containing("@AcceptWebSocket")).singleElement().asString()
                    .contains("AnnotatedViews.echo", "Views.scan", "^echo$");
        }
        try (LogCapture log = LogCapture.of("io.loomsocket.web")) {
            Views.ScannedViews scanned = Views.scan(views);
            WebApp.builder().settings(Settings.defaults()).urls(path("^echo$", scanned.get("echo")), path("^page$", views::page)).build();
            assertThat(log.containing("@AcceptWebSocket")).as("registered through Views.scan: nothing to say").isEmpty();
        }
    }

    @Test
    void aResponseReturnedByAWebSocketViewIsExplained() throws Exception {
        try (LogCapture log = LogCapture.of("io.loomsocket.web")) {
            int port = start(path("^ws$", acceptWebSocket(r -> Response.text("lost"))));
            WebSocket ws = WsTestClient.open(port, "/ws");
            assertThat(ws.receive(Duration.ofSeconds(10))).isEmpty(); // the view returned: 1000
            assertThat(ws.closeCode().getAsInt()).isEqualTo(1000);
            awaitLine(log, "is ignored");
            assertThat(log.containing("is ignored")).singleElement().asString()
                    .contains("URL pattern '^ws$'", "returned a 200 response", "return null");
        }
    }

    @Test
    void aFailingLambdaViewIsLoggedWithItsUrlPattern() throws Exception {
        try (LogCapture log = LogCapture.of("io.loomsocket.web")) {
            int port = start(path("^boom$", r -> { throw new IllegalStateException("boom"); }),
                    path("^wsboom$", acceptWebSocket(r -> { throw new IllegalStateException("boom"); })));
            assertThat(io.loomsocket.server.RawHttp.exchange(port, "GET /boom?token=t HTTP/1.1\r\nHost: localhost\r\n\r\n").status()).isEqualTo(500);
            WebSocket ws = WsTestClient.open(port, "/wsboom");
            assertThat(ws.receive(Duration.ofSeconds(10))).isEmpty();
            assertThat(ws.closeCode().getAsInt()).isEqualTo(1011);
            awaitLine(log, "'^wsboom$'");
            assertThat(log.containing("failed")).hasSize(2).allSatisfy(l -> assertThat(l).doesNotContain("$$Lambda").doesNotContain("token"));
            assertThat(log.containing("'^boom$'")).singleElement().asString().contains("SEVERE", "a lambda", "GET /boom");
            assertThat(log.containing("'^wsboom$'")).singleElement().asString().contains("1011");
        }
    }

    @Test
    void theServerSaysWhereItListensAndHowItStopped() throws IOException {
        try (LogCapture log = LogCapture.of("io.loomsocket.server")) {
            int port = start(path("^x$", r -> Response.text("x")));
            assertThat(log.containing("listening on")).singleElement().asString()
                    .isEqualTo("INFO: loomsocket listening on http://127.0.0.1:" + port + "/");
            assertThat(server.stopSummary()).isNull();
            server.stop(Duration.ofSeconds(2), "the test asked");
            assertThat(server.stopSummary()).as("for a shutdown hook to print").isEqualTo(log.containing("stopped").get(0).substring(6));
            server = null;
            assertThat(log.containing("stopped")).singleElement().asString()
                    .contains("port " + port, "(the test asked)", "0 of 0 open connection(s) closed gracefully");
        }
    }

    private static void awaitLine(LogCapture log, String text) throws InterruptedException {
        for (int i = 0; i < 200 && log.containing(text).isEmpty(); i++) Thread.sleep(25);
    }
}
