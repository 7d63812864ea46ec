package io.loomsocket.web;

import static io.loomsocket.web.Views.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.WebSocket;
import io.loomsocket.server.HttpServer;
import io.loomsocket.server.RawHttp;
import io.loomsocket.testing.IntegrationTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.PropertyNamingStrategies;

/** JSON through the application's Jackson mapper: request.json, Response.json and JsonWebSocket, with their limits, over real sockets. */
@IntegrationTest
class JsonViewTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private HttpServer server;

    record Point(int x, int y) {}

    record Move(String playerName, Point to) {}

    @AfterEach
    void stop() {
        if (server != null) server.stop(Duration.ofSeconds(2));
    }

    private int start(WebApp.Builder app) throws IOException {
        server = app.build().start();
        return server.port();
    }

    private int start(Settings.Builder settings, UrlPattern... urls) throws IOException {
        return start(WebApp.builder().settings(settings.environment(Map.of()).port(0).build()).urls(urls));
    }

    private static RawHttp.Response post(int port, String path, String contentType, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return RawHttp.exchange(port, "POST " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + "Content-Length: " + b.length + "\r\n\r\n" + body);
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    private static UrlPattern moveView() {
        return path("^move$", r -> {
            Move m = r.json(Move.class);
            return Response.json(new Move(m.playerName(), new Point(m.to().x() + 1, m.to().y() + 1)));
        });
    }

    @Test
    void requestJsonReadsARecordAndResponseJsonWritesOne() throws IOException {
        int port = start(Settings.builder(), moveView(),
                path("^points$", r -> Response.json(r.json(new TypeReference<List<Point>>() {}).size())));
        var r = post(port, "/move", "application/json; charset=utf-8", "{\"playerName\":\"ann\",\"to\":{\"x\":1,\"y\":2}}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-type")).isEqualTo("application/json");
        assertThat(r.text()).isEqualTo("{\"playerName\":\"ann\",\"to\":{\"x\":2,\"y\":3}}");
        assertThat(post(port, "/points", "application/vnd.api+json", "[{\"x\":1,\"y\":2},{\"x\":3,\"y\":4}]").text()).isEqualTo("2");
    }

    @Test
    void badJsonIs400WithTheReasonAndAnotherContentTypeIs415() throws IOException {
        int port = start(Settings.builder(), moveView());
        var malformed = post(port, "/move", "application/json", "{\"playerName\":");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.text()).startsWith("400 Bad Request: malformed JSON");
        var wrongShape = post(port, "/move", "application/json", "{\"playerName\":\"ann\",\"to\":[1,2]}");
        assertThat(wrongShape.status()).isEqualTo(400);
        assertThat(wrongShape.text()).contains("JSON does not match Move", "Point", "line 1, column 26");
        var trailing = post(port, "/move", "application/json", "{\"playerName\":\"ann\",\"to\":{\"x\":1,\"y\":2}} {}");
        assertThat(trailing.status()).isEqualTo(400);
        var form = post(port, "/move", "application/x-www-form-urlencoded", "x=1");
        assertThat(form.status()).isEqualTo(415);
        assertThat(form.text()).contains("application/json", "'application/x-www-form-urlencoded'");
        assertThat(post(port, "/move", null, "{}").text()).contains("no Content-Type");
    }

    @Test
    void hostileDocumentsAreRefusedByTheLimits() throws IOException {
        int port = start(Settings.builder().set("json.max_string_length", 1000).set("json.max_number_length", 50),
                path("^any$", r -> Response.json(r.json(Object.class) != null)));
        assertThat(post(port, "/any", "application/json", nested(64)).status()).isEqualTo(200);
        var deep = post(port, "/any", "application/json", nested(65));
        assertThat(deep.status()).isEqualTo(400);
        assertThat(deep.text()).contains("JSON over a limit", "nesting depth", "64");
        // deep enough to overflow a recursive reader's stack if nothing stopped it
        assertThat(post(port, "/any", "application/json", nested(200_000)).status()).isEqualTo(400);
        assertThat(post(port, "/any", "application/json", "\"" + "a".repeat(1000) + "\"").status()).isEqualTo(200);
        var longString = post(port, "/any", "application/json", "\"" + "a".repeat(1001) + "\"");
        assertThat(longString.status()).isEqualTo(400);
        assertThat(longString.text()).contains("JSON over a limit", "String value length");
        var longNumber = post(port, "/any", "application/json", "1".repeat(51));
        assertThat(longNumber.status()).isEqualTo(400);
        assertThat(longNumber.text()).contains("JSON over a limit", "Number value length");
    }

    @Test
    void documentLengthLimit() throws IOException {
        int port = start(Settings.builder().set("json.max_document_length", 100),
                path("^any$", r -> Response.json(r.json(Object.class) != null)));
        assertThat(post(port, "/any", "application/json", "[" + "1,".repeat(40) + "1]").status()).isEqualTo(200);
        var big = post(port, "/any", "application/json", "[" + "1,".repeat(60) + "1]");
        assertThat(big.status()).isEqualTo(400);
        assertThat(big.text()).contains("JSON over a limit", "Document length");
    }

    @Test
    void theUsersMapperConfigurationIsUsedBothWays() throws IOException {
        int port = start(WebApp.builder()
                .settings(Settings.builder().environment(Map.of()).port(0).build())
                .json(b -> b.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE))
                .urls(moveView()));
        var r = post(port, "/move", "application/json", "{\"player_name\":\"bo\",\"to\":{\"x\":0,\"y\":0}}");
        assertThat(r.text()).isEqualTo("{\"player_name\":\"bo\",\"to\":{\"x\":1,\"y\":1}}");
    }

    @Test
    void aCycleIsA500AndHtmlIsEscaped() throws IOException {
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        int port = start(Settings.builder(),
                path("^cycle$", r -> Response.json(cycle)),
                path("^script$", r -> Response.json(List.of("</script>"))));
        assertThat(RawHttp.exchange(port, "GET /cycle HTTP/1.1\r\nHost: localhost\r\n\r\n").status()).isEqualTo(500);
        // "</" never appears verbatim, so JSON embedded in a <script> block cannot end it
        assertThat(RawHttp.exchange(port, "GET /script HTTP/1.1\r\nHost: localhost\r\n\r\n").text()).isEqualTo("[\"<\\/script>\"]");
    }

    @Test
    void aResponseReadOutsideARequestIsWrittenWithTheDefaults() {
        assertThat(Response.json(Map.of("a", new Point(1, 2))).contentText()).isEqualTo("{\"a\":{\"x\":1,\"y\":2}}");
    }

    @Test
    void negativeLimitsAreASettingsError() {
        assertThatThrownBy(() -> Settings.builder().environment(Map.of()).set("json.max_nesting_depth", -1).build())
                .isInstanceOf(SettingsException.class).hasMessageContaining("json");
    }

    // ---- WebSocket ----

    private static Response jsonEcho(Request request) {
        JsonWebSocket ws = JsonWebSocket.of(request);
        for (Optional<Move> m; (m = ws.receive(Move.class)).isPresent(); ) {
            ws.send(new Move(m.get().playerName(), new Point(m.get().to().y(), m.get().to().x())));
        }
        return null;
    }

    private int startJsonEcho() throws IOException {
        return start(Settings.builder(),
                path("^moves$", requireWebSocket(JsonViewTest::jsonEcho)),
                path("^anything$", requireWebSocket(r -> {
                    JsonWebSocket ws = JsonWebSocket.of(r);
                    for (Optional<Object> o; (o = ws.receive(Object.class)).isPresent(); ) ws.send(o.get());
                    return null;
                })),
                path("^forgiving$", requireWebSocket(r -> {
                    JsonWebSocket ws = JsonWebSocket.of(r);
                    while (true) {
                        try {
                            Optional<Point> p = ws.receive(Point.class);
                            if (p.isEmpty()) return null;
                            ws.send(p.get());
                        } catch (InvalidMessageException e) {
                            ws.send(Map.of("error", e.getMessage(), "code", e.closeCode()));
                        }
                    }
                })));
    }

    private static void awaitClosed(WebSocket ws) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!ws.isClosed() && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(ws.isClosed()).isTrue();
    }

    @Test
    void jsonWebSocketSendsAndReceivesRecords() throws Exception {
        int port = startJsonEcho();
        WebSocket ws = WsTestClient.open(port, "/moves");
        ws.send("{\"playerName\":\"ann\",\"to\":{\"x\":1,\"y\":2}}");
        assertThat(ws.receive(WAIT).orElseThrow().text()).isEqualTo("{\"playerName\":\"ann\",\"to\":{\"x\":2,\"y\":1}}");
        ws.close();
    }

    @Test
    void malformedJsonClosesWith1007() throws Exception {
        int port = startJsonEcho();
        WebSocket ws = WsTestClient.open(port, "/moves");
        ws.send("{\"playerName\":");
        assertThat(ws.receive(WAIT)).isEmpty();
        awaitClosed(ws);
        assertThat(ws.closeCode().getAsInt()).isEqualTo(1007);
        assertThat(ws.closeReason()).startsWith("malformed JSON");
    }

    @Test
    void jsonOfTheWrongShapeClosesWith1007() throws Exception {
        int port = startJsonEcho();
        WebSocket ws = WsTestClient.open(port, "/moves");
        ws.send("{\"playerName\":\"ann\",\"to\":\"north\"}");
        assertThat(ws.receive(WAIT)).isEmpty();
        awaitClosed(ws);
        assertThat(ws.closeCode().getAsInt()).isEqualTo(1007);
        assertThat(ws.closeReason()).startsWith("JSON does not match Move");
    }

    @Test
    void tooDeepJsonClosesWith1007() throws Exception {
        int port = startJsonEcho();
        WebSocket ws = WsTestClient.open(port, "/anything");
        ws.send(nested(64));
        assertThat(ws.receive(WAIT).orElseThrow().text()).isEqualTo(nested(64));
        ws.send(nested(100_000));
        assertThat(ws.receive(WAIT)).isEmpty();
        awaitClosed(ws);
        assertThat(ws.closeCode().getAsInt()).isEqualTo(1007);
        assertThat(ws.closeReason()).startsWith("JSON over a limit");
    }

    @Test
    void binaryWhereJsonIsExpectedClosesWith1003() throws Exception {
        int port = startJsonEcho();
        WebSocket ws = WsTestClient.open(port, "/moves");
        ws.send(new byte[] {'{', '}'});
        assertThat(ws.receive(WAIT)).isEmpty();
        awaitClosed(ws);
        assertThat(ws.closeCode().getAsInt()).isEqualTo(1003);
    }

    @Test
    void aViewMayCatchTheExceptionAndCarryOn() throws Exception {
        int port = startJsonEcho();
        WebSocket ws = WsTestClient.open(port, "/forgiving");
        ws.send("not json");
        String error = ws.receive(WAIT).orElseThrow().text();
        assertThat(error).contains("\"code\":1007", "malformed JSON");
        ws.send("{\"x\":1,\"y\":2}");
        assertThat(ws.receive(WAIT).orElseThrow().text()).isEqualTo("{\"x\":1,\"y\":2}");
        ws.close();
        assertThat(ws.closeCode().getAsInt()).isEqualTo(1000);
    }
}
