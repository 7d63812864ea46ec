package io.loomsocket.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.channels.ChannelLayer;
import io.loomsocket.channels.ChannelLayers;
import io.loomsocket.server.HttpServer;
import io.loomsocket.web.Settings;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class AccessLogTest {
    @Test
    void requestTextReachesTheTerminalWithoutControlCharacters() {
        assertThat(AccessLog.printable("GET /index/?q=ä")).isEqualTo("GET /index/?q=ä");
        assertThat(AccessLog.printable("GET /a\u001b[2Jb\r\n")).isEqualTo("GET /a\\x1b[2Jb\\x0d\\x0a");
        assertThat(AccessLog.printable("\u0007")).isEqualTo("\\x07");
        assertThat(AccessLog.printable("é\u0000😀")).isEqualTo("é\\x00😀");
    }

    @Test
    void aTerminalThatStopsReadingNeverStallsRequestsAndLostLinesAreCounted() throws Exception {
        CountDownLatch unblock = new CountDownLatch(1);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        OutputStream stalled = new OutputStream() { // a pipe nobody reads: every write blocks
            @Override public void write(int b) throws java.io.IOException {
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
        AccessLog log = new AccessLog(new PrintStream(stalled, true, StandardCharsets.UTF_8));
        ChannelLayer layer = ChannelLayers.fromSetting("memory");
        HttpServer server = DemoApp.app(Settings.builder().environment(Map.of()).port(0).set("debug", true).build(), layer, List.of(log)).start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            int requests = AccessLog.MAX_QUEUED_LINES + 500;
            for (int i = 0; i < requests; i++) {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/index2/?n=" + i))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                assertThat(r.statusCode()).isEqualTo(200);
            }
            unblock.countDown(); // the terminal reads again
            log.close();
            String out = written.toString(StandardCharsets.UTF_8);
            assertThat(out).contains("\"GET /index2/?n=0\" 200").contains("\"GET /index2/?n=1\" 200");
            assertThat(out).containsPattern("\\[access log: \\d+ lines dropped, the log could not keep up\\]");
            assertThat(out.lines().filter(l -> l.contains("GET /index2/")).count())
                    .as("bounded: the first line (in the stalled write), the queue, nothing more")
                    .isLessThanOrEqualTo(AccessLog.MAX_QUEUED_LINES + 1);
        } finally {
            unblock.countDown();
            server.stop();
            layer.close();
        }
    }
}
