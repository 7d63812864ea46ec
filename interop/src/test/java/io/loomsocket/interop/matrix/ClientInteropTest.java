package io.loomsocket.interop.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.interop.client.OurClient;
import io.loomsocket.interop.peers.NettyEchoServer;
import io.loomsocket.interop.peers.PeerProcess;
import io.loomsocket.testing.IntegrationTest;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The interop matrix, our client's side: real servers nobody here wrote (Python websockets, Node
 * ws, Netty), started by the test. The peers' own limit is set above ours, so that the messages at
 * our limit test us, not them.
 */
@IntegrationTest
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ClientInteropTest {

    static final int MAX = OurClient.MAX_MESSAGE_SIZE;
    static final String PEER_MAX = Integer.toString(MAX + (64 << 10));

    @AfterAll
    static void print() {
        Matrix.print();
    }

    static void record(String pair, String compression, Checks checks) {
        Matrix.add(Matrix.row(pair, compression, checks));
        assertThat(checks.failures()).as("%s (%s):%n%s", pair, compression, String.join("\n", checks.lines())).isEmpty();
        assertThat(checks.ok()).isTrue();
    }

    void peer(PeerProcess p, String pair, boolean deflate) {
        int port = p.awaitListening(Duration.ofSeconds(20));
        record(pair, deflate ? "permessage-deflate" : "none", OurClientDriver.run("ws://127.0.0.1:" + port + "/echo", deflate, MAX));
    }

    @Test
    @DisplayName("our client -> Python websockets server, no compression")
    void python() throws IOException {
        try (PeerProcess p = PeerProcess.python("py_echo_server.py", "none", PEER_MAX)) {
            peer(p, "our client -> Python websockets 10.4", false);
        }
    }

    @Test
    @DisplayName("our client -> Python websockets server, permessage-deflate")
    void pythonDeflate() throws IOException {
        try (PeerProcess p = PeerProcess.python("py_echo_server.py", "deflate", PEER_MAX)) {
            peer(p, "our client -> Python websockets 10.4", true);
        }
    }

    @Test
    @DisplayName("our client -> Node ws server, no compression")
    void node() throws IOException {
        try (PeerProcess p = PeerProcess.node("node_echo_server.js", "none", PEER_MAX)) {
            peer(p, "our client -> Node ws 8", false);
        }
    }

    @Test
    @DisplayName("our client -> Node ws server, permessage-deflate")
    void nodeDeflate() throws IOException {
        try (PeerProcess p = PeerProcess.node("node_echo_server.js", "deflate", PEER_MAX)) {
            peer(p, "our client -> Node ws 8", true);
        }
    }

    @Test
    @DisplayName("our client -> Netty 4.2 WebSocket server, no compression")
    void netty() throws Exception {
        try (NettyEchoServer s = new NettyEchoServer(false, MAX + (64 << 10))) {
            record("our client -> Netty 4.2.18", "none", OurClientDriver.run("ws://127.0.0.1:" + s.port() + "/echo", false, MAX));
        }
    }

    @Test
    @DisplayName("our client -> Netty 4.2 WebSocket server, permessage-deflate")
    void nettyDeflate() throws Exception {
        try (NettyEchoServer s = new NettyEchoServer(true, MAX + (64 << 10))) {
            record("our client -> Netty 4.2.18", "permessage-deflate (Netty set to allow server_no_context_takeover)", OurClientDriver.run("ws://127.0.0.1:" + s.port() + "/echo", true, MAX));
        }
    }

    @Test
    @DisplayName("our client -> Netty 4.2 WebSocket server, stock permessage-deflate handshaker")
    void nettyStockDeflate() throws Exception {
        // Netty's defaults decline our first offer (server_no_context_takeover); the fallback offer must be taken
        try (NettyEchoServer s = new NettyEchoServer(true, false, MAX + (64 << 10))) {
            record("our client -> Netty 4.2.18 (stock deflate)", "permessage-deflate (second offer)", OurClientDriver.run("ws://127.0.0.1:" + s.port() + "/echo", true, MAX));
        }
    }
}
