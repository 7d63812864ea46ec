package io.loomsocket.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.testing.ChildProcess;
import io.loomsocket.testing.IntegrationTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The demo's main in its own JVM: prints the URL to open, and on SIGTERM closes WebSockets with 1001 and exits. */
@IntegrationTest
class DemoProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void printsTheUrlAndStopsGracefullyOnSigterm() throws Exception {
        ProcessBuilder pb = ChildProcess.java(DemoApp.class.getName(), List.of(), "--port", "0");
        pb.environment().put("SHUTDOWN_GRACE_PERIOD", "5s");
        pb.environment().remove("PORT");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread.ofVirtual().start(() -> reader.lines().forEach(lines::add)); // never block the test on a silent process
            // the URL line comes after the warning that debug made a random secret key
            Pattern open = Pattern.compile("Open (http://127\\.0\\.0\\.1:(\\d+)/index/) in your browser");
            List<String> seen = new java.util.ArrayList<>();
            String urlLine = null;
            for (int i = 0; i < 5 && urlLine == null; i++) {
                String line = lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(line).as("output so far: %s", seen).isNotNull();
                seen.add(line);
                if (open.matcher(line).find()) urlLine = line;
            }
            assertThat(urlLine).as("the URL line in %s", seen).isNotNull();
            Matcher m = open.matcher(urlLine);
            assertThat(m.find()).isTrue();
            int port = Integer.parseInt(m.group(2));

            WebSocket ws = WebSocketClient.connect("ws://127.0.0.1:" + port + "/echo");
            ws.send("before the signal");
            assertThat(ws.receive(WAIT)).contains(Message.text("before the signal"));

            HttpClient http = HttpClient.newHttpClient();
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index2/")).build(),
                    HttpResponse.BodyHandlers.discarding());
            String logged = null;
            for (int i = 0; i < 5 && logged == null; i++) { // after the "also: ..." line
                String l = lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                if (l != null && l.contains("\"GET /index2/ ")) logged = l;
            }
            assertThat(logged).as("the built-in access log, Common Log Format")
                    .matches("127\\.0\\.0\\.1 - - \\[.+\\] \"GET /index2/ HTTP/1\\.1\" 200 \\d+");

            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("\nloomsocket_websocket_connections 1.0\n", "\nloomsocket_websocket_messages_received_total 1.0\n",
                    "\nloomsocket_channels_delivered_total ");

            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("ok");

            p.destroy(); // SIGTERM
            assertThat(ws.receive(WAIT)).isEmpty();
            assertThat(ws.closeCode().getAsInt()).isEqualTo(1001);
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("exits within the grace period").isTrue();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void helpPrintsTheUsageAndExitsWithZero() throws Exception {
        Process p = ChildProcess.java(DemoApp.class.getName(), List.of(), "--help").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).startsWith("usage: java -jar loomsocket-demo.jar").contains("--settings FILE").doesNotContain("error");
    }
}
