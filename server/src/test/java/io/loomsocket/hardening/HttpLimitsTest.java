package io.loomsocket.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.server.HttpServer;
import io.loomsocket.server.RawHttp;
import io.loomsocket.testing.IntegrationTest;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Limits and timeouts of the HTTP side, each with short settings: slowloris heads, idle
 * keep-alive, oversized heads and bodies, smuggling vectors, the connection limit.
 */
@IntegrationTest
class HttpLimitsTest {
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) server.stop(Duration.ofSeconds(2));
    }

    private int start(Map<String, String> settings) throws IOException {
        server = Apps.start(settings, Apps.echoUrl());
        return server.port();
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Slowloris: bytes dribbled in one at a time do not extend the head deadline; others are served meanwhile. */
    @Test
    void stalledHeadsAreDroppedAfterTheHeaderReadTimeoutWhileOthersAreServed() throws Exception {
        int port = start(Map.of("http.header_read_timeout", "600ms"));
        List<RawHttp> loris = new ArrayList<>();
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < 50; i++) loris.add(new RawHttp(port).send("GET /echo HTTP/1.1\r\nHost: localhost\r\n"));
            RawHttp silent = new RawHttp(port); // connects and sends nothing at all
            for (int round = 0; round < 4; round++) {
                Probe.sleep(100);
                for (RawHttp c : loris) {
                    try { c.send("X"); } catch (IOException closed) { /* dropped already */ }
                }
                // a well-behaved client is served at once while 51 connections stall
                long t1 = System.nanoTime();
                assertThat(RawHttp.exchange(port, "GET /echo HTTP/1.1\r\nHost: localhost\r\n\r\n").text()).isEqualTo("ok");
                assertThat(millisSince(t1)).isLessThan(1000);
            }
            for (RawHttp c : loris) {
                RawHttp.Response r = c.read();
                assertThat(r.status()).isEqualTo(408);
                assertThat(r.header("connection")).isEqualTo("close");
                assertThat(c.closedByServer()).isTrue();
            }
            assertThat(silent.closedByServer()).as("a connection that sends nothing is dropped without a response").isTrue();
            silent.close();
            long took = millisSince(t0);
            assertThat(took).isBetween(500L, 4000L);
            assertThat(Probe.await(Duration.ofSeconds(3), () -> server.openConnections() == 0)).isTrue();
        } finally {
            for (RawHttp c : loris) c.close();
        }
    }

    @Test
    void idleKeepAliveConnectionIsClosedAfterTheKeepAliveTimeout() throws Exception {
        int port = start(Map.of("http.keep_alive_timeout", "400ms"));
        try (RawHttp c = new RawHttp(port)) {
            assertThat(c.send("GET /echo HTTP/1.1\r\nHost: localhost\r\n\r\n").read().status()).isEqualTo(200);
            Probe.sleep(200); // within the timeout the connection still serves
            assertThat(c.send("GET /echo HTTP/1.1\r\nHost: localhost\r\n\r\n").read().status()).isEqualTo(200);
            long t0 = System.nanoTime();
            assertThat(c.closedByServer()).isTrue();
            assertThat(millisSince(t0)).isBetween(300L, 3000L);
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "431 | head larger than http.max_header_size | GET /echo HTTP/1.1\\r\\nHost: localhost\\r\\nX-Big: BIG\\r\\n\\r\\n",
        "431 | more fields than http.max_header_count | GET /echo HTTP/1.1\\r\\nHost: localhost\\r\\nMANY\\r\\n",
        "414 | request line alone too long | GET /LONG HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n",
        "413 | Content-Length over http.max_body_size | POST /echo HTTP/1.1\\r\\nHost: localhost\\r\\nContent-Length: 1025\\r\\n\\r\\n",
        "413 | chunked body over http.max_body_size | POST /echo HTTP/1.1\\r\\nHost: localhost\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n400\\r\\nKB\\r\\n1\\r\\nx\\r\\n0\\r\\n\\r\\n",
        "400 | request line with two spaces | GET  /echo HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n",
        "400 | request line without version | GET /echo\\r\\nHost: localhost\\r\\n\\r\\n",
        "400 | binary garbage request line | \\u0016\\u0003\\u0001\\u0000 garbage\\r\\n\\r\\n",
        "400 | bare LF line ends | GET /echo HTTP/1.1\\nHost: localhost\\n\\n",
        "400 | Content-Length with Transfer-Encoding | POST /echo HTTP/1.1\\r\\nHost: localhost\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n",
        "400 | Transfer-Encoding with Content-Length | POST /echo HTTP/1.1\\r\\nHost: localhost\\r\\nTransfer-Encoding: chunked\\r\\nContent-Length: 3\\r\\n\\r\\n0\\r\\n\\r\\n",
        "400 | conflicting Content-Length fields | POST /echo HTTP/1.1\\r\\nHost: localhost\\r\\nContent-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\nabcd",
        "400 | conflicting Content-Length list | POST /echo HTTP/1.1\\r\\nHost: localhost\\r\\nContent-Length: 3, 4\\r\\n\\r\\nabcd",
        "400 | signed Content-Length | POST /echo HTTP/1.1\\r\\nHost: localhost\\r\\nContent-Length: +3\\r\\n\\r\\nabc",
        "400 | chunk size not hex | POST /echo HTTP/1.1\\r\\nHost: localhost\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\nabc\\r\\n0\\r\\n\\r\\n",
        "400 | negative chunk size | POST /echo HTTP/1.1\\r\\nHost: localhost\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n-3\\r\\nabc\\r\\n0\\r\\n\\r\\n",
        "400 | 0x-prefixed chunk size | POST /echo HTTP/1.1\\r\\nHost: localhost\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0x3\\r\\nabc\\r\\n0\\r\\n\\r\\n",
        "400 | overflowing chunk size | POST /echo HTTP/1.1\\r\\nHost: localhost\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nffffffffffffffff1\\r\\nabc\\r\\n0\\r\\n\\r\\n",
        "400 | chunk longer than its size | POST /echo HTTP/1.1\\r\\nHost: localhost\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabcd\\r\\n0\\r\\n\\r\\n",
        "400 | obs-fold (space) | GET /echo HTTP/1.1\\r\\nHost: localhost\\r\\nX-A: a\\r\\n b\\r\\n\\r\\n",
        "400 | obs-fold (tab) | GET /echo HTTP/1.1\\r\\nHost: localhost\\r\\nX-A: a\\r\\n\\tb\\r\\n\\r\\n",
        "400 | space before the colon | GET /echo HTTP/1.1\\r\\nTransfer-Encoding : chunked\\r\\nHost: localhost\\r\\n\\r\\n",
    })
    void refusedWithStatusAndClosed(int status, String what, String template) throws Exception {
        int port = start(Map.of("http.max_header_size", "1KiB", "http.max_header_count", "10", "http.max_body_size", "1KiB"));
        String raw = template.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t").replace("\\u0016", "\u0016")
                .replace("\\u0003", "\u0003").replace("\\u0001", "\u0001").replace("\\u0000", "\u0000")
                .replace("BIG", "b".repeat(1100)).replace("LONG", "l".repeat(1100)).replace("KB", "k".repeat(1024))
                .replace("MANY\r\n", "X-H: v\r\n".repeat(10) + "\r\n");
        try (RawHttp c = new RawHttp(port)) {
            long t0 = System.nanoTime();
            RawHttp.Response r = c.send(raw).read();
            assertThat(r.status()).as(what).isEqualTo(status);
            assertThat(r.header("connection")).as(what).isEqualTo("close");
            assertThat(c.closedByServer()).as(what + ": connection closed").isTrue();
            assertThat(millisSince(t0)).isLessThan(2000);
        }
        // the server is fine afterwards
        assertThat(RawHttp.exchange(port, "GET /echo HTTP/1.1\r\nHost: localhost\r\n\r\n").text()).isEqualTo("ok");
    }

    /**
     * At http.max_connections new connections get 503 and are closed at once, are counted, and
     * the open ones (HTTP keep-alive and WebSockets) keep working; when one leaves, a new one gets in.
     */
    @Test
    void connectionLimitRefusesQuicklyAndSparesExistingConnections() throws Exception {
        int port = start(Map.of("http.max_connections", "3"));
        WebSocket a = WebSocketClient.connect("ws://127.0.0.1:" + port + "/echo");
        WebSocket b = WebSocketClient.connect("ws://127.0.0.1:" + port + "/echo");
        try (RawHttp keepAlive = new RawHttp(port)) {
            assertThat(keepAlive.send("GET /echo HTTP/1.1\r\nHost: localhost\r\n\r\n").read().status()).isEqualTo(200);
            for (int i = 1; i <= 20; i++) {
                long t0 = System.nanoTime();
                try (RawHttp extra = new RawHttp(port)) {
                    RawHttp.Response r = extra.read(); // the 503 comes without the client sending anything
                    assertThat(r.status()).isEqualTo(503);
                    assertThat(extra.closedByServer()).isTrue();
                }
                assertThat(millisSince(t0)).isLessThan(1000);
                assertThat(server.refusedConnections()).isEqualTo(i);
            }
            a.send("still here");
            assertThat(a.receive(Duration.ofSeconds(5))).contains(Message.text("still here"));
            b.send(new byte[] {1, 2});
            assertThat(b.receive(Duration.ofSeconds(5))).contains(Message.binary(new byte[] {1, 2}));
            assertThat(keepAlive.send("GET /echo HTTP/1.1\r\nHost: localhost\r\n\r\n").read().status()).isEqualTo(200);
        }
        a.close();
        assertThat(Probe.await(Duration.ofSeconds(3), () -> server.openConnections() <= 1)).isTrue();
        WebSocket c = WebSocketClient.connect("ws://127.0.0.1:" + port + "/echo");
        c.send("room again");
        assertThat(c.receive(Duration.ofSeconds(5))).contains(Message.text("room again"));
        c.close();
        b.close();
    }
}
