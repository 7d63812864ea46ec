package io.loomsocket.web;

import static io.loomsocket.web.Views.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.server.HttpServer;
import io.loomsocket.server.RawHttp;
import io.loomsocket.testing.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in access log: its format, redaction, where it writes, and that a stalled output never stalls requests. */
@IntegrationTest
class AccessLogTest {
    private static final Set<String> DEFAULT = AccessLog.parseNames(AccessLog.DEFAULT_REDACT);

    @TempDir
    Path dir;

    @Test
    void requestTextReachesTheTerminalWithoutControlCharacters() {
        assertThat(AccessLog.printable("GET /index/?q=ä")).isEqualTo("GET /index/?q=ä");
        assertThat(AccessLog.printable("GET /a\u001b[2Jb\r\n")).isEqualTo("GET /a\\x1b[2Jb\\x0d\\x0a");
        assertThat(AccessLog.printable("\u0007")).isEqualTo("\\x07");
        assertThat(AccessLog.printable("é\u0000😀\"")).isEqualTo("é\\x00😀\\x22");
    }

    @Test
    void sensitiveQueryValuesAreRedactedWhateverTheirCaseOrEncoding() {
        assertThat(AccessLog.redactQuery("token=demo-token", DEFAULT)).isEqualTo("token=***");
        assertThat(AccessLog.redactQuery("q=1&Password=hunter2&access%5Ftoken=abc&key=k&x=&secret", DEFAULT))
                .isEqualTo("q=1&Password=***&access%5Ftoken=***&key=***&x=&secret");
        assertThat(AccessLog.redactQuery("tokens=1&a=token", DEFAULT)).isEqualTo("tokens=1&a=token");
        assertThat(AccessLog.redactQuery("token=a&&token=b&", DEFAULT)).isEqualTo("token=***&&token=***&");
        assertThat(AccessLog.redactQuery("token=a", Set.of())).isEqualTo("token=a");
        assertThat(AccessLog.redactQuery("%zz=1&token=%", DEFAULT)).isEqualTo("%zz=1&token=***");
    }

    @Test
    void theSettingWritesCommonLogFormatLinesToAFileWithTokensRedactedAndWebSocketCloseCodes() throws Exception {
        Path file = dir.resolve("access.log");
        WebApp app = WebApp.builder()
                .settings(Settings.builder().environment(Map.of()).port(0).set("access_log", file.toString()).build())
                .urls(path("^page$", r -> Response.text("hello")), path("^ws$", acceptWebSocket(r -> {
                    for (Message m : r.websocket()) r.websocket().send(m);
                    return null;
                })))
                .build();
        assertThat(app.middleware().get(0)).isInstanceOf(AccessLog.class);
        HttpServer server = app.start();
        try {
            RawHttp.exchange(server.port(), "GET /page?token=demo-token&room=a HTTP/1.1\r\nHost: localhost\r\n\r\n");
            RawHttp.exchange(server.port(), "GET http://localhost/page?PASSWORD=p HTTP/1.1\r\nHost: localhost\r\n\r\n");
            try (WebSocket ws = WebSocketClient.connect("ws://127.0.0.1:" + server.port() + "/ws?access_token=t0k")) {
                ws.send("hi");
                assertThat(ws.receive(Duration.ofSeconds(10))).contains(Message.text("hi"));
                ws.close(4000, "done");
            }
        } finally {
            server.stop(Duration.ofSeconds(5)); // flushes the log
        }
        String log = Files.readString(file);
        assertThat(log).doesNotContain("demo-token").doesNotContain("pw").doesNotContain("t0k").doesNotContain("=p ");
        List<String> lines = log.lines().toList();
        assertThat(lines).hasSize(3);
        String clf = "127\\.0\\.0\\.1 - - \\[\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\\] ";
        assertThat(lines.get(0)).matches(clf + "\"GET /page\\?token=\\*\\*\\*&room=a HTTP/1\\.1\" 200 5");
        assertThat(lines.get(1)).matches(clf + "\"GET /page\\?PASSWORD=\\*\\*\\* HTTP/1\\.1\" 200 5");
        assertThat(lines.get(2)).matches(clf + "\"GET /ws\\?access_token=\\*\\*\\* HTTP/1\\.1\" 101 - \"WebSocket closed 4000\"");
    }

    @Test
    void offOrEmptyMeansNoAccessLog() {
        for (String v : List.of("", "off", "OFF")) {
            WebApp app = WebApp.builder().settings(Settings.builder().environment(Map.of()).set("access_log", v).build()).build();
            assertThat(app.accessLog()).isEmpty();
            assertThat(app.middleware()).noneMatch(m -> m instanceof AccessLog);
        }
    }

    @Test
    void aTerminalThatStopsReadingNeverStallsRequestsAndLostLinesAreCounted() throws Exception {
        CountDownLatch unblock = new CountDownLatch(1);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        OutputStream stalled = new OutputStream() { // a pipe nobody reads: every write blocks
            @Override public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override public synchronized void write(byte[] b, int off, int len) {
                try {
                    unblock.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                written.write(b, off, len);
            }
        };
        AccessLog log = new AccessLog(new PrintStream(stalled, true, StandardCharsets.UTF_8), DEFAULT);
        HttpServer server = WebApp.builder().settings(Settings.builder().environment(Map.of()).port(0).build())
                .middleware(log).urls(path("^p$", r -> Response.text("ok"))).build().start();
        try (RawHttp c = new RawHttp(server.port())) {
            int requests = AccessLog.MAX_QUEUED_LINES + 500;
            for (int i = 0; i < requests; i++) {
                assertThat(c.send("GET /p?n=" + i + " HTTP/1.1\r\nHost: localhost\r\n\r\n").read().status()).isEqualTo(200);
            }
            assertThat(log.dropped()).isPositive();
            unblock.countDown(); // the terminal reads again
            log.close();
            String out = written.toString(StandardCharsets.UTF_8);
            assertThat(out).contains("\"GET /p?n=0 HTTP/1.1\" 200").contains("\"GET /p?n=1 HTTP/1.1\" 200");
            assertThat(out).containsPattern("\\[access log: \\d+ lines dropped, the log could not keep up\\]");
            assertThat(out.lines().filter(l -> l.contains("GET /p")).count())
                    .as("bounded: the writer's batch (stalled in its first write), the queue, nothing more")
                    .isLessThanOrEqualTo(AccessLog.MAX_QUEUED_LINES + AccessLog.BATCH);
        } finally {
            unblock.countDown();
            server.stop(Duration.ofSeconds(2));
        }
    }
}
