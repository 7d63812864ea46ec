package io.loomsocket.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.engine.Event;
import io.loomsocket.engine.Role;
import io.loomsocket.testing.IntegrationTest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The closing handshake (RFC 6455 §7), its timeout, abort, and failing on protocol errors. */
@IntegrationTest
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClosingTest {
    private static final WebSocketConfig CONFIG = WebSocketConfig.builder().compression(false)
            .closeTimeout(Duration.ofMillis(500)).build();

    private static void awaitClosed(WebSocket ws) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!ws.isClosed() && System.nanoTime() < deadline) Thread.sleep(2);
        assertThat(ws.isClosed()).as("closed").isTrue();
    }

    @Test
    void rfc6455_7_1_2_clientStartsTheClosingHandshakeWithCodeAndReason() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            ws.client().close(4001, "bye ✓");
            assertThat(ws.client().isClosed()).isTrue();
            assertThat(ws.client().state()).isEqualTo(WebSocket.State.CLOSED);
            assertThat(ws.client().closeCode()).hasValue(4001); // the server echoed the code
            awaitClosed(ws.server());
            assertThat(ws.server().closeCode()).hasValue(4001);
            assertThat(ws.server().closeReason()).isEqualTo("bye ✓");
            assertThatThrownBy(() -> ws.client().send("late")).isInstanceOf(WebSocketClosedException.class);
            assertThatThrownBy(() -> ws.server().send("late")).isInstanceOf(WebSocketClosedException.class);
            ws.client().close(); // idempotent
        }
    }

    @Test
    void rfc6455_7_1_2_serverStartsTheClosingHandshake() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            long t0 = System.nanoTime();
            ws.server().close(1001, "going away");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(400));
            assertThat(ws.server().closeCode()).hasValue(1001);
            assertThat(ws.client().receive()).isEmpty();
            awaitClosed(ws.client());
            assertThat(ws.client().closeCode()).hasValue(1001);
            assertThat(ws.client().closeReason()).isEqualTo("going away");
        }
    }

    @Test
    void messagesReceivedBeforeThePeersCloseStayReadable() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            ws.client().send("one");
            ws.client().send("two");
            ws.client().close(1000, "");
            awaitClosed(ws.server()); // noticed by the reader although the view is not receiving
            assertThat(ws.server().countMessages()).isEqualTo(2);
            assertThat(ws.server().receive()).contains(Message.text("one"));
            assertThat(ws.server().read()).contains(Message.text("two"));
            assertThat(ws.server().receive()).isEmpty();
        }
    }

    @Test
    void peerCloseIsNoticedWhileTheViewIsBusy() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            Thread client = Thread.ofVirtual().start(() -> ws.client().close(1000, "leaving"));
            // the server "view" is busy and never calls receive(); the close completes anyway
            awaitClosed(ws.server());
            client.join(5000);
            assertThat(ws.client().isClosed()).isTrue();
            assertThat(ws.client().closeCode()).hasValue(1000);
        }
    }

    @Test
    void closeTimesOutWhenThePeerNeverAnswers() throws Exception {
        try (Pair p = Pair.open()) {
            var ws = WebSocketConnection.open(Transport.of(p.serverSide), null, Role.SERVER, null, null, CONFIG);
            RawPeer peer = new RawPeer(p.clientSide, Role.CLIENT); // reads nothing, answers nothing
            long t0 = System.nanoTime();
            ws.close(1000, "");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(ms).isBetween(400L, 3000L);
            assertThat(ws.isClosed()).isTrue();
            assertThat(ws.closeCode()).hasValue(1006);
            assertThat(peer.next()).isEqualTo(new Event.Close(1000, ""));
            assertThat(peer.readsEof()).isTrue();
        }
    }

    @Test
    void abortSkipsTheHandshake() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            ws.client().abort();
            assertThat(ws.client().isClosed()).isTrue();
            assertThat(ws.client().closeCode()).hasValue(1006);
            assertThat(ws.server().receive()).isEmpty();
            awaitClosed(ws.server());
            assertThat(ws.server().closeCode()).hasValue(1006);
        }
    }

    @Test
    void rfc6455_5_1_unmaskedFrameAtTheServerFailsWith1002() throws Exception {
        try (Pair p = Pair.open()) {
            var ws = WebSocketConnection.open(Transport.of(p.serverSide), null, Role.SERVER, null, null, CONFIG);
            RawPeer peer = new RawPeer(p.clientSide, Role.SERVER, Role.CLIENT); // a server-role encoder does not mask
            peer.sendText("unmasked");
            assertThat(ws.receive()).isEmpty();
            assertThat(ws.closeCode()).hasValue(1002);
            Event e = peer.next();
            assertThat(e).isInstanceOf(Event.Close.class);
            assertThat(((Event.Close) e).code()).isEqualTo(1002);
            awaitClosed(ws);
        }
    }

    @Test
    void rfc6455_8_1_invalidUtf8FailsWith1007() throws Exception {
        try (Pair p = Pair.open()) {
            var ws = WebSocketConnection.open(Transport.of(p.serverSide), null, Role.SERVER, null, null, CONFIG);
            // a masked text frame (mask 0) with the bytes CE BA E1 BD B9 CE BC ED A0 80 (a surrogate)
            p.clientSide.getOutputStream().write(new byte[] {(byte) 0x81, (byte) 0x8A, 0, 0, 0, 0,
                    (byte) 0xCE, (byte) 0xBA, (byte) 0xE1, (byte) 0xBD, (byte) 0xB9, (byte) 0xCE, (byte) 0xBC,
                    (byte) 0xED, (byte) 0xA0, (byte) 0x80});
            assertThat(ws.receive()).isEmpty();
            assertThat(ws.closeCode()).hasValue(1007);
        }
    }

    @Test
    void leftoverBytesFromTheHandshakeAreTheFirstFrames() throws Exception {
        try (Pair p = Pair.open()) {
            // a masked "hi" (mask 0) that arrived together with the HTTP request
            byte[] leftover = {(byte) 0x81, (byte) 0x82, 0, 0, 0, 0, 'h', 'i'};
            var ws = WebSocketConnection.open(Transport.of(p.serverSide), leftover, Role.SERVER, null, null, CONFIG);
            assertThat(ws.receive()).contains(Message.text("hi"));
            ws.abort();
        }
    }

    @Test
    void invalidCloseCodesAreRefused() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            assertThatThrownBy(() -> ws.client().close(1006, "")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ws.client().close(1005, "reason without code")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ws.client().close(999, "")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ws.client().close(1000, "x".repeat(124))).isInstanceOf(IllegalArgumentException.class);
            assertThat(ws.client().isClosed()).isFalse();
        }
    }

    @Test
    void closeFromAnotherThreadEndsABlockedReceive() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            Thread closer = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
                ws.server().close(1001, "shutting down");
            });
            assertThat(ws.server().receive()).isEmpty(); // blocked until the handshake ended it
            closer.join();
            assertThat(ws.server().closeCode()).hasValue(1001);
            assertThat(ws.client().receive()).isEmpty();
            assertThat(ws.client().closeReason()).isEqualTo("shutting down");
        }
    }

    @Test
    void aStreamWithInvalidUtf8IsRefusedBeforeItReachesTheWire() throws Exception {
        try (var ws = Pair.webSockets(CONFIG)) {
            var os = ws.client().sendStream(true);
            os.write(new byte[] {'o', 'k'});
            os.flush();
            os.write(new byte[] {(byte) 0xC0, (byte) 0x80}); // an overlong NUL: never valid UTF-8
            assertThatThrownBy(os::flush).isInstanceOf(java.io.IOException.class).hasMessageContaining("UTF-8");
            os.close(); // ends the message with what was valid
            assertThat(ws.server().receive()).contains(Message.text("ok"));
            assertThat(ws.server().isClosed()).isFalse();
        }
    }

    /**
     * RFC 6455 §7.1.7 after what came before: a valid message and a frame that breaks the protocol
     * arrive in one write; the view still gets the message and its echo reaches the peer before
     * the close frame with 1002.
     */
    @ParameterizedTest
    @ValueSource(strings = {"RSV2", "ORPHAN_CONTINUATION", "UNKNOWN_OPCODE"})
    void theEchoOfAMessageBeforeAProtocolErrorGoesOutBeforeTheClose(String breach) throws Exception {
        try (Pair p = Pair.open()) {
            var ws = WebSocketConnection.open(Transport.of(p.serverSide), null, Role.SERVER, null, null, CONFIG);
            Thread.ofVirtual().start(() -> {
                for (Message m : ws) ws.send(m);
            });
            byte[] valid = {(byte) 0x81, (byte) 0x82, 0, 0, 0, 0, 'h', 'i'}; // masked "hi", mask 0
            byte[] bad = switch (breach) {
                case "RSV2" -> new byte[] {(byte) 0xA1, (byte) 0x81, 0, 0, 0, 0, 'x'};
                case "ORPHAN_CONTINUATION" -> new byte[] {(byte) 0x80, (byte) 0x81, 0, 0, 0, 0, 'x'};
                default -> new byte[] {(byte) 0x83, (byte) 0x80, 0, 0, 0, 0}; // opcode 0x3 is reserved
            };
            byte[] both = new byte[valid.length + bad.length];
            System.arraycopy(valid, 0, both, 0, valid.length);
            System.arraycopy(bad, 0, both, valid.length, bad.length);
            RawPeer peer = new RawPeer(p.clientSide, Role.CLIENT);
            peer.writeRaw(both); // one write
            assertThat(peer.next()).isEqualTo(new Event.Text("hi"));
            Event e = peer.next();
            assertThat(e).isInstanceOf(Event.Close.class);
            assertThat(((Event.Close) e).code()).isEqualTo(1002);
            awaitClosed(ws);
            assertThat(ws.closeCode()).hasValue(1002);
        }
    }

    /** bugs.md B1: a view that returns as soon as it sees the end must not replace the close code. */
    @Test
    void theErrorOrEchoedCodeWinsOverTheViewsClose1000() throws Exception {
        for (int i = 0; i < 30; i++) {
            try (Pair p = Pair.open()) {
                var ws = WebSocketConnection.open(Transport.of(p.serverSide), null, Role.SERVER, null, null, CONFIG);
                Thread view = Thread.ofVirtual().start(() -> {
                    for (var m : ws) { /* echo view: ends at the close */ }
                    ws.close(1000, "");
                });
                RawPeer peer = new RawPeer(p.clientSide, Role.CLIENT);
                if (i % 2 == 0) {
                    peer.sendClose(4001, "bye");
                    assertThat(peer.next()).isEqualTo(new Event.Close(4001, ""));
                } else {
                    peer.sendText("plain");
                    peer.writeRaw(new byte[] {(byte) 0xA1, (byte) 0x81, 0x37, (byte) 0xFA, 0x21, 0x3D, 0x4F}); // RSV2 set
                    Event e = peer.next();
                    assertThat(e).isInstanceOf(Event.Close.class);
                    assertThat(((Event.Close) e).code()).isEqualTo(1002);
                }
                view.join(5000);
            }
        }
    }

    /** Many senders racing a close (or an abort): they end with WebSocketClosedException, nothing hangs. */
    @Test
    void closeAndAbortRacingManySendersNeitherHangNorCorrupt() throws Exception {
        for (int round = 0; round < 6; round++) {
            boolean abort = round % 2 == 1;
            try (var ws = Pair.webSockets(CONFIG)) {
                java.util.List<Thread> senders = new java.util.ArrayList<>();
                java.util.concurrent.atomic.AtomicReference<Throwable> unexpected = new java.util.concurrent.atomic.AtomicReference<>();
                for (int t = 0; t < 8; t++) {
                    senders.add(Thread.ofVirtual().start(() -> {
                        try {
                            for (int i = 0; i < 100_000; i++) ws.client().send("message " + i);
                        } catch (WebSocketClosedException expected) {
                            // the close won the race
                        } catch (Throwable e) {
                            unexpected.set(e);
                        }
                    }));
                }
                Thread drain = Thread.ofVirtual().start(() -> {
                    for (Message m : ws.server()) assertThat(m.text()).startsWith("message ");
                });
                Thread.sleep(30);
                if (abort) ws.client().abort(); else ws.client().close(1000, "enough");
                for (Thread t : senders) assertThat(t.join(Duration.ofSeconds(10))).isTrue();
                assertThat(drain.join(Duration.ofSeconds(10))).isTrue();
                assertThat(unexpected.get()).isNull();
                assertThat(ws.client().isClosed()).isTrue();
                awaitClosed(ws.server());
                assertThat(ws.server().closeCode()).hasValue(abort ? 1006 : 1000);
            }
        }
    }

    /**
     * A connection that wrote something has a write watchdog in the shared timer; once it is closed
     * the task leaves the timer's queue (it used to stay there for the write timeout, 30 s: at
     * thousands of handshakes a second, a queue of hundreds of thousands of dead tasks).
     */
    @Test
    void closedConnectionsLeaveNoTimerTasksBehind() throws Exception {
        WebSocketConfig config = WebSocketConfig.builder().compression(false).build();
        int before = ConnectionRuntime.shared().timers.queued();
        for (int i = 0; i < 100; i++) {
            try (var ws = Pair.webSockets(config)) {
                ws.client().send("x"); // a write arms the watchdog of each side
                ws.server().send("y");
                assertThat(ws.server().receive()).contains(Message.text("x"));
                assertThat(ws.client().receive()).contains(Message.text("y"));
            }
        }
        assertThat(ConnectionRuntime.shared().timers.queued() - before).as("timer tasks left by 100 closed pairs").isLessThan(20);
    }
}
