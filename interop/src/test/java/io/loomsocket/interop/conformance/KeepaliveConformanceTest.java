package io.loomsocket.interop.conformance;

import static io.loomsocket.testing.raw.RawFrame.PING;
import static io.loomsocket.testing.raw.RawFrame.PONG;
import static io.loomsocket.testing.raw.RawFrame.TEXT;
import static io.loomsocket.testing.raw.RawFrame.client;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.testing.raw.RawClient;
import io.loomsocket.testing.raw.RawFrame;
import io.loomsocket.interop.servers.OurServer;
import io.loomsocket.testing.IntegrationTest;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keepalive and its limits (RFC 6455 §5.5.2: a ping "may serve as a keepalive"), on our server
 * with {@code websocket.ping_interval=300ms} and {@code websocket.ping_timeout=700ms}; a peer
 * that stops answering is dropped with 1011 (WebSocketConfig's documented choice).
 */
@IntegrationTest
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KeepaliveConformanceTest {

    static OurServer server;

    @BeforeAll
    static void start() throws IOException {
        server = OurServer.start(Map.of("websocket.ping_interval", Duration.ofMillis(300), "websocket.ping_timeout", Duration.ofMillis(700)));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    @DisplayName("§5.5.2 the server pings an idle connection; answering keeps it open")
    void pingsAndStaysOpenWhenAnswered() throws IOException {
        try (RawClient c = RawClient.open(server.port(), "/echo")) {
            long t0 = System.nanoTime();
            int pings = 0;
            while (System.nanoTime() - t0 < Duration.ofMillis(1500).toNanos()) {
                RawFrame f = c.nextFromServer();
                assertThat(f.opcode()).as("only keepalive pings on an idle connection: %s", f).isEqualTo(PING);
                assertThat(f.fin()).isTrue();
                assertThat(f.payload().length).isLessThanOrEqualTo(125);
                c.send(client(true, PONG, f.payload())); // §5.5.3: the pong echoes the ping's payload
                pings++;
            }
            assertThat(pings).as("pings in 1.5 s at a 300 ms interval").isGreaterThanOrEqualTo(2);
            c.send(RawFrame.clientText("still open"));
            RawFrame f;
            while ((f = c.nextFromServer()).opcode() == PING) c.send(client(true, PONG, f.payload()));
            assertThat(f).isEqualTo(new RawFrame(true, 0, TEXT, false, "still open".getBytes()));
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("a peer that never answers the keepalive ping is dropped with 1011")
    void unansweredPingDrops() throws IOException {
        try (RawClient c = RawClient.open(server.port(), "/echo")) {
            RawFrame f = c.nextFromServer();
            assertThat(f.opcode()).isEqualTo(PING);
            long t0 = System.nanoTime();
            while ((f = c.nextFromServer()).opcode() == PING) { /* ignore them all */ }
            assertThat(f.opcode()).isEqualTo(RawFrame.CLOSE);
            assertThat(f.closeCode()).isEqualTo(1011);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    @DisplayName("§5.5.3 a pong with the wrong payload does not count as the answer")
    void wrongPongPayload() throws IOException {
        try (RawClient c = RawClient.open(server.port(), "/echo")) {
            RawFrame f;
            while ((f = c.nextFromServer()).opcode() == PING) c.send(client(true, PONG, "not your payload".getBytes()));
            assertThat(f.closeCode()).isEqualTo(1011);
        }
    }
}
