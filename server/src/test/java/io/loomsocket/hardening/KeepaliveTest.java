package io.loomsocket.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.engine.OpCode;
import io.loomsocket.server.HttpServer;
import io.loomsocket.server.RawHttp;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.raw.RawClient;
import io.loomsocket.testing.raw.RawFrame;
import io.loomsocket.web.PrometheusText;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Idle WebSockets: the server pings every {@code websocket.ping_interval}; a peer that answers
 * stays connected however long it is idle, one whose pongs stop (half-open TCP, a frozen
 * client) is dropped after {@code websocket.ping_timeout} with close 1011 and its slot freed.
 */
@IntegrationTest
class KeepaliveTest {
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) server.stop(Duration.ofSeconds(2));
    }

    private int start() throws Exception {
        server = Apps.start(Map.of("websocket.ping_interval", "200ms", "websocket.ping_timeout", "400ms"), Apps.echoUrl());
        return server.port();
    }

    @Test
    void aPeerThatAnswersPingsStaysConnectedWhileIdle() throws Exception {
        int port = start();
        // our client answers pings by itself; its own keepalive is off, so only the server's pings flow
        WebSocket ws = WebSocketClient.builder().config(WebSocketConfig.builder().pingInterval(Duration.ZERO).build()).build()
                .connect(URI.create("ws://127.0.0.1:" + port + "/echo"));
        Probe.sleep(1500); // more than 3 × (interval + timeout), idle
        assertThat(ws.isClosed()).isFalse();
        ws.send("after idling");
        assertThat(ws.receive(Duration.ofSeconds(5))).contains(Message.text("after idling"));
        ws.close();
        assertThat(ws.closeCode().getAsInt()).isEqualTo(1000);
    }

    @Test
    void pingsArriveAndAnsweringThemKeepsTheConnection() throws Exception {
        int port = start();
        try (RawClient raw = Apps.raw(port)) {
            assertThat(raw.upgrade("/echo")).isEqualTo(101);
            int pings = 0;
            long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < 1_500_000_000L) {
                RawFrame f = raw.readFrame();
                assertThat(f).as("connection dropped though every ping was answered").isNotNull();
                assertThat(f.opcode()).isEqualTo(OpCode.PING);
                raw.sendFrame(OpCode.PONG, f.payload());
                pings++;
            }
            assertThat(pings).isBetween(4, 10);
            raw.sendText("alive");
            RawFrame echo = raw.readFrame();
            while (echo.opcode() == OpCode.PING) echo = raw.readFrame();
            assertThat(new String(echo.payload())).isEqualTo("alive");
        }
    }

    /**
     * A peer that keeps sending is alive even when its pongs are late (bugs.md B4: its pong waits
     * behind its data, and behind our pings in its buffer when its application is slow): it is
     * dropped only once nothing at all arrives for a ping timeout.
     */
    @Test
    void aPeerThatKeepsSendingIsNotDroppedForLatePongs() throws Exception {
        int port = start();
        try (RawClient raw = Apps.raw(port)) {
            assertThat(raw.upgrade("/echo")).isEqualTo(101);
            java.util.concurrent.atomic.AtomicLong sendingEnded = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicReference<Exception> sendFailed = new java.util.concurrent.atomic.AtomicReference<>();
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 20; i++) { // 2 s: more than 3 × (ping interval + ping timeout)
                        raw.sendText("m" + i);
                        Thread.sleep(100);
                    }
                } catch (Exception e) {
                    sendFailed.set(e);
                } finally {
                    sendingEnded.set(System.nanoTime());
                }
            });
            int code = raw.readUntilClose(); // echoes and pings, never a pong
            long closedAt = System.nanoTime();
            sender.join();
            assertThat(sendFailed.get()).as("sending failed: the connection was dropped while the peer sent").isNull();
            assertThat(code).isEqualTo(1011);
            long afterSending = (closedAt - sendingEnded.get()) / 1_000_000;
            assertThat(afterSending).as("ms from the peer's last message to the drop").isBetween(0L, 3000L);
        }
    }

    @Test
    void aPeerWhosePongsStopIsDroppedWith1011() throws Exception {
        int port = start();
        try (RawClient raw = Apps.raw(port)) {
            assertThat(raw.upgrade("/echo")).isEqualTo(101);
            RawFrame first = raw.readFrame();
            assertThat(first.opcode()).isEqualTo(OpCode.PING);
            raw.sendFrame(OpCode.PONG, first.payload()); // answers once, then goes silent
            long t0 = System.nanoTime();
            int code = raw.readUntilClose();
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertThat(code).isEqualTo(1011);
            assertThat(waited).as("ms until dropped: next ping after 200 ms + 400 ms timeout").isBetween(400L, 3000L);
            assertThat(raw.closedByServer()).isTrue();
        }
        assertThat(Probe.await(Duration.ofSeconds(3), () -> server.openConnections() == 0)).isTrue();
    }

    /**
     * A ping flood from a client that reads slowly: every ping is answered with its own payload or
     * skipped for a later one (RFC 6455 §5.5.3 allows answering only the latest), the server stops
     * reading while pongs cannot be written (so the flood cannot grow its memory), the data after
     * the flood is echoed in order, and another client is served all the while.
     */
    @Test
    void aPingFloodIsAnsweredWithoutStarvingOthers() throws Exception {
        server = Apps.start(Map.of(), Apps.echoUrl());
        int port = server.port();
        int floodPings = 20_000;
        try (RawClient flood = Apps.raw(port)) {
            assertThat(flood.upgrade("/echo")).isEqualTo(101);
            java.util.concurrent.atomic.AtomicReference<Exception> failed = new java.util.concurrent.atomic.AtomicReference<>();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < floodPings; i++) {
                        byte[] payload = new byte[125];
                        java.util.Arrays.fill(payload, (byte) i);
                        flood.sendFrame(OpCode.PING, payload);
                    }
                    flood.sendText("after the flood");
                } catch (Exception e) {
                    failed.set(e);
                }
            });
            WebSocket other = WebSocketClient.connect("ws://127.0.0.1:" + port + "/echo");
            other.send("not starved");
            assertThat(other.receive(Duration.ofSeconds(10))).contains(Message.text("not starved"));
            other.close();
            int pongs = 0;
            for (RawFrame f = flood.readFrame(); ; f = flood.readFrame()) {
                assertThat(f).as("connection dropped during the flood").isNotNull();
                if (f.opcode() == OpCode.TEXT) {
                    assertThat(f.payload()).isEqualTo("after the flood".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    break;
                }
                assertThat(f.opcode()).isEqualTo(OpCode.PONG);
                assertThat(f.payload()).hasSize(125);
                pongs++;
            }
            writer.join();
            assertThat(failed.get()).isNull();
            assertThat(pongs).isBetween(1, floodPings);
        }
    }

    @Test
    void aKeepaliveTimeoutIsCountedInTheMetrics() throws Exception {
        server = Apps.start(Map.of("websocket.ping_interval", "200ms", "websocket.ping_timeout", "400ms", "metrics.enabled", "true"),
                Apps.echoUrl());
        try (RawClient raw = Apps.raw(server.port())) {
            assertThat(raw.upgrade("/echo")).isEqualTo(101);
            assertThat(raw.readUntilClose()).isEqualTo(1011); // it never answers a ping
        }
        assertThat(Probe.await(Duration.ofSeconds(5), () -> scrape().value("loomsocket_websocket_connections") == 0.0)).isTrue();
        PrometheusText m = scrape();
        assertThat(m.value("loomsocket_websocket_keepalive_timeouts_total")).isEqualTo(1.0);
        assertThat(m.value("loomsocket_websocket_closes_total", Map.of("code", "1011"))).isEqualTo(1.0);
    }

    private PrometheusText scrape() {
        try {
            return PrometheusText.parse(RawHttp.exchange(server.port(), "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n").text());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
