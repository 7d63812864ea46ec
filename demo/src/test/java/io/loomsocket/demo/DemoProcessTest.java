package io.loomsocket.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The demo's main in its own JVM: prints the URL to open, and on SIGTERM closes WebSockets with 1001 and exits. */
class DemoProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void printsTheUrlAndStopsGracefullyOnSigterm() throws Exception {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                DemoApp.class.getName(), "--port", "0"));
        pb.environment().put("SHUTDOWN_GRACE_PERIOD", "5s");
        pb.environment().remove("PORT");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            assertThat(first).isNotNull();
            Matcher m = Pattern.compile("Open (http://127\\.0\\.0\\.1:(\\d+)/index/) in your browser").matcher(first);
            assertThat(m.find()).as(first).isTrue();
            int port = Integer.parseInt(m.group(2));

            WebSocket ws = WebSocketClient.connect("ws://127.0.0.1:" + port + "/echo");
            ws.send("before the signal");
            assertThat(ws.receive(WAIT)).contains(Message.text("before the signal"));

            p.destroy(); // SIGTERM
            assertThat(ws.receive(WAIT)).isEmpty();
            assertThat(ws.closeCode().getAsInt()).isEqualTo(1001);
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("exits within the grace period").isTrue();
        } finally {
            p.destroyForcibly();
        }
    }
}
