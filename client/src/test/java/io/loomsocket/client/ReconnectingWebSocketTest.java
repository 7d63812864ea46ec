package io.loomsocket.client;

import io.loomsocket.WebSocket;
import io.loomsocket.testing.IntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ReconnectingWebSocket} against a real server (sockets, the engine's handshake) that is
 * stopped (its connections dropped, its port closed) and started again on the same port.
 */
@IntegrationTest
class ReconnectingWebSocketTest {
    final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (var c : closing.reversed()) c.close();
    }

    static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    /** A server on {@code port} (0: any) that says which incarnation it is, then echoes. */
    TestServer server(int port, int incarnation, List<String> uris) throws Exception {
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        TestServer s = TestServer.on(ss, ws -> {
            ws.send("server " + incarnation);
            for (var m : ws) ws.send(m);
        });
        closing.add(s);
        return s;
    }

    @Test
    void itReconnectsAfterTheServerRestartsAndResumesWithTheLastIdInTheUri() throws Exception {
        var uris = new CopyOnWriteArrayList<String>();
        TestServer first = server(0, 1, uris);
        int port = first.port();
        var lastSeen = new AtomicReference<String>();
        var opened = new AtomicInteger();
        var ws = ReconnectingWebSocket.builder(() -> {
                    String u = "ws://127.0.0.1:" + port + "/chat" + (lastSeen.get() == null ? "" : "?since=" + lastSeen.get());
                    uris.add(u);
                    return URI.create(u);
                })
                .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .onOpen(conn -> {
                    opened.incrementAndGet();
                    conn.send("hello after " + lastSeen.get()); // the resume hook: first on every connection
                })
                .connect();
        closing.add(ws);
        Duration wait = Duration.ofSeconds(20);
        assertThat(ws.receive(wait).orElseThrow().text()).isEqualTo("server 1");
        assertThat(ws.receive(wait).orElseThrow().text()).isEqualTo("hello after null");
        ws.send("m1");
        assertThat(ws.receive(wait).orElseThrow().text()).isEqualTo("m1");
        lastSeen.set("m1");

        var got = new CopyOnWriteArrayList<String>();
        var receiver = Thread.ofVirtual().start(() -> { for (var m : ws) got.add(m.text()); });
        first.close(); // the server stops: its connections are dropped (1006), the port is closed
        await(() -> !ws.isConnected(), "the receiver to notice");
        var sender = Thread.ofVirtual().start(() -> ws.send("typed while down")); // waits for the next connection
        Thread.sleep(300); // the client retries against a closed port meanwhile
        TestServer second = server(port, 2, uris);
        sender.join();
        await(() -> got.size() >= 3, "three messages from the second server");
        assertThat(got).containsExactlyInAnyOrder("server 2", "hello after m1", "typed while down");
        assertThat(got.indexOf("hello after m1")).isLessThan(got.indexOf("typed while down")); // the hook ran first
        assertThat(uris.getLast()).endsWith("/chat?since=m1");
        assertThat(opened.get()).isEqualTo(2);
        assertThat(ws.connections()).isEqualTo(2);
        assertThat(ws.isClosed()).isFalse();

        ws.close();
        receiver.join(); // its loop ended: receive() returned empty
        assertThat(ws.receive()).isEmpty();
        assertThat(ws.isClosed()).isTrue();
        assertThatThrownBy(() -> ws.send("after close")).isInstanceOf(io.loomsocket.WebSocketClosedException.class);
        assertThat(second.sockets).hasSize(1);
    }

    @Test
    void aCloseThatSaysDoNotComeBackEndsIt() throws Exception {
        TestServer s = TestServer.start(List.of(), io.loomsocket.WebSocketConfig.defaults(), conn -> conn.close(1008, "go away"));
        closing.add(s);
        var ws = ReconnectingWebSocket.builder(URI.create(s.uri("/"))).backoff(Duration.ofMillis(10), Duration.ofMillis(50)).connect();
        assertThat(ws.receive()).isEmpty();
        assertThat(ws.closeCode()).hasValue(1008);
        assertThat(ws.connections()).isEqualTo(1);
    }

    @Test
    void theFirstConnectionFailingIsAnError() throws Exception {
        int port;
        try (var ss = TestServer.bind()) {
            port = ss.getLocalPort();
        }
        assertThatThrownBy(() -> ReconnectingWebSocket.builder(URI.create("ws://127.0.0.1:" + port + "/")).connect())
                .isInstanceOf(io.loomsocket.WebSocketException.class);
    }

    @Test
    void messagesKeepComingAcrossManyRestarts() throws Exception {
        TestServer s = server(0, 0, new ArrayList<>());
        int port = s.port();
        var ws = ReconnectingWebSocket.builder(URI.create("ws://127.0.0.1:" + port + "/"))
                .backoff(Duration.ofMillis(5), Duration.ofMillis(100)).connect();
        closing.add(ws);
        Duration wait = Duration.ofSeconds(20);
        for (int i = 1; i <= 5; i++) {
            assertThat(ws.receive(wait).orElseThrow().text()).isEqualTo("server " + (i - 1));
            ws.send("ping " + i);
            assertThat(ws.receive(wait).orElseThrow().text()).isEqualTo("ping " + i);
            s.close();
            s = server(port, i, new ArrayList<>());
        }
        assertThat(ws.receive(wait).orElseThrow().text()).isEqualTo("server 5");
        assertThat(ws.connections()).isEqualTo(6);
        assertThat(ws.state()).isEqualTo(WebSocket.State.OPEN);
    }
}
