package io.loomsocket.test;

import static io.loomsocket.web.Views.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.web.Request;
import io.loomsocket.web.Response;
import io.loomsocket.web.WebApp;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each misbehaviour of the raw peer against a real view on a real server. */
@IntegrationTest
class MisbehavingPeerTest {
    private final CompletableFuture<Throwable> floodEnded = new CompletableFuture<>();
    private final CompletableFuture<Integer> watchedClose = new CompletableFuture<>();

    @RegisterExtension
    final TestServerExtension server = TestServerExtension.of(settings -> WebApp.builder().settings(settings).urls(
                    path("^echo$", requireWebSocket(MisbehavingPeerTest::echo)),
                    path("^flood$", requireWebSocket(this::flood)),
                    path("^watch$", requireWebSocket(this::watch)))
                    .build())
            .settings(s -> s.set("websocket.write_timeout", "500ms")
                    .set("websocket.max_message_size", "64KiB").set("websocket.max_frame_size", "64KiB"));

    static Response echo(Request r) {
        WebSocket ws = r.websocket();
        for (Message m : ws) ws.send(m);
        return null;
    }

    /** Sends 64 KiB messages until a send fails; records the failure. */
    private Response flood(Request r) {
        byte[] data = new byte[64 * 1024];
        try {
            for (int i = 0; i < 10_000; i++) r.websocket().send(data); // 640 MB if nothing stopped it
            floodEnded.complete(null);
        } catch (RuntimeException e) {
            floodEnded.complete(e);
        }
        return null;
    }

    /** Receives until the connection ends; records how it ended. */
    private Response watch(Request r) {
        WebSocket ws = r.websocket();
        while (ws.receive().isPresent()) { }
        watchedClose.complete(ws.closeCode().orElse(-1));
        return null;
    }

    @Test
    void aPeerThatStopsReadingMakesTheViewsSendTimeOut() throws Exception {
        try (MisbehavingPeer peer = server.client().misbehaving("/flood")) {
            peer.stopReading();
            Throwable failure = floodEnded.get(20, TimeUnit.SECONDS);
            assertThat(failure).isInstanceOf(WebSocketClosedException.class);
            // 1008: the write timeout (websocket.write_timeout) aborted the connection
            assertThat(((WebSocketClosedException) failure).closeCode()).isEqualTo(1008);
            peer.reset();
        }
    }

    @Test
    void invalidUtf8IsClosedWith1007() {
        try (MisbehavingPeer peer = server.client().misbehaving("/echo")) {
            peer.sendInvalidUtf8();
            assertThat(peer.expectClose(1007)).isNotEmpty();
        }
    }

    @Test
    void aFragmentStormWithinTheLimitsIsOneMessage() {
        try (MisbehavingPeer peer = server.client().misbehaving("/echo")) {
            assertThat(peer.sendFragmentStorm(1_000, 1)).isTrue(); // websocket.max_fragments_per_message is 1,024
            assertThat(peer.receiveText()).isEqualTo("a".repeat(1_000));
            peer.sendClose(1000, "");
            peer.expectClose(1000);
        }
    }

    @Test
    void aFragmentStormPastTheFragmentLimitIsClosedWith1009() {
        try (MisbehavingPeer peer = server.client().misbehaving("/echo")) {
            peer.sendFragmentStorm(2_000, 1); // 2,000 frames of one message, 1,024 allowed
            peer.expectClose(1009);
        }
    }

    @Test
    void aFragmentStormPastTheMessageLimitIsClosedWith1009() {
        try (MisbehavingPeer peer = server.client().misbehaving("/echo")) {
            peer.sendFragmentStorm(1_000, 100); // 100,000 bytes, 64 KiB allowed
            peer.expectClose(1009);
        }
    }

    @Test
    void anOversizedMessageIsClosedWith1009() {
        try (MisbehavingPeer peer = server.client().misbehaving("/echo")) {
            peer.sendOversized(1 << 20);
            peer.expectClose(1009);
        }
    }

    @Test
    void aResetMidFrameEndsTheViewsWebSocketWith1006AndNothingElse() throws Exception {
        try (MisbehavingPeer peer = server.client().misbehaving("/watch")) {
            peer.resetMidFrame();
        }
        assertThat(watchedClose.get(10, TimeUnit.SECONDS)).isEqualTo(1006);
        try (TestWebSocket ws = server.client().websocket("/echo")) {
            ws.sendText("still here");
            ws.expectText("still here");
        }
    }

    @Test
    void aPeerThatNeverAnswersPingsIsDroppedWith1011() {
        try (TestServer keepalive = TestServer.start(TestServer.settings()
                        .set("websocket.ping_interval", "200ms").set("websocket.ping_timeout", "200ms"),
                settings -> WebApp.builder().settings(settings).urls(path("^echo$", requireWebSocket(MisbehavingPeerTest::echo))).build());
             MisbehavingPeer peer = keepalive.client().misbehaving("/echo")) {
            peer.ignorePings();
            assertThat(peer.expectClose(1011)).contains("ping");
        }
    }

    @Test
    void aPeerThatAnswersPingsStays() {
        try (TestServer keepalive = TestServer.start(TestServer.settings()
                        .set("websocket.ping_interval", "100ms").set("websocket.ping_timeout", "300ms"),
                settings -> WebApp.builder().settings(settings).urls(path("^echo$", requireWebSocket(MisbehavingPeerTest::echo))).build());
             MisbehavingPeer peer = keepalive.client().misbehaving("/echo")) {
            peer.sendText("one");
            assertThat(peer.receiveText()).isEqualTo("one");
            long end = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            int i = 0;
            while (System.nanoTime() < end) { // pings arrive between the echoes and are answered while reading
                peer.sendText("n" + i);
                assertThat(peer.receiveText()).isEqualTo("n" + i++);
            }
            peer.sendClose(1000, "");
            peer.expectClose(1000);
        }
    }
}
