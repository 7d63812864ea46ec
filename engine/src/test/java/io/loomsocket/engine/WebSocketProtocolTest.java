package io.loomsocket.engine;

import static io.loomsocket.engine.Hex.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The connection-level rules of RFC 6455 §5–§8 and RFC 7692, byte for byte and without sockets:
 * feed the peer's bytes, compare the events and the bytes to send. Grouped by RFC section.
 */
class WebSocketProtocolTest {

    static final EngineConfig CFG = EngineConfig.defaults();

    static WebSocketProtocol server() {
        return new WebSocketProtocol(Role.SERVER, CFG, null, null);
    }

    static WebSocketProtocol client() {
        return new WebSocketProtocol(Role.CLIENT, CFG, null, MaskSource.fixed(0x01020304));
    }

    /** What the peer of {@code p} puts on the wire: masked frames towards a server, plain ones towards a client. */
    static byte[] fromPeer(WebSocketProtocol p, Frame... frames) {
        Role peer = p.role() == Role.SERVER ? Role.CLIENT : Role.SERVER;
        FrameWriter w = new FrameWriter(peer, MaskSource.fixed(0x12345678));
        byte[][] parts = new byte[frames.length][];
        for (int i = 0; i < frames.length; i++) parts[i] = w.encode(frames[i]);
        return concat(parts);
    }

    /** What {@code p} should send for {@code frames} (its own masking). */
    static byte[] ours(WebSocketProtocol p, Frame... frames) {
        FrameWriter w = new FrameWriter(p.role(), MaskSource.fixed(0x01020304));
        byte[][] parts = new byte[frames.length][];
        for (int i = 0; i < frames.length; i++) parts[i] = w.encode(frames[i]);
        return concat(parts);
    }

    static List<Event> receive(WebSocketProtocol p, byte[] bytes) {
        List<Event> out = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        for (Event e; (e = p.receiveData(in)) != null; ) out.add(e);
        assertThat(in.hasRemaining()).as("every byte consumed").isFalse();
        return out;
    }

    static Frame close(int code, String reason) {
        return Frame.of(OpCode.CLOSE, MessageEncoder.closePayload(code, reason));
    }

    static Frame frame(int opcode, boolean fin, String text) {
        return new Frame(fin, false, false, false, opcode, text.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ §5.1 masking

    @Nested
    class Rfc6455_5_1_Masking {
        @Test
        void aServerFailsAnUnmaskedFrameWith1002() {
            WebSocketProtocol p = server();
            byte[] unmasked = new FrameWriter(Role.SERVER, null).encode(Frame.text("hi"));
            assertThat(receive(p, unmasked)).singleElement().isInstanceOf(Event.Failure.class)
                    .extracting(e -> ((Event.Failure) e).closeCode()).isEqualTo(CloseCode.PROTOCOL_ERROR);
        }

        @Test
        void aClientMasksWhatItSends() {
            WebSocketProtocol p = client();
            p.sendText("hi");
            byte[] sent = p.dataToSend();
            assertThat(sent).isEqualTo(ours(p, Frame.text("hi")));
            assertThat(sent[1] & 0x80).as("MASK bit").isEqualTo(0x80);
        }
    }

    // ------------------------------------------------------------------ §5.4 fragmentation

    @Nested
    class Rfc6455_5_4_Fragmentation {
        @Test
        void aPingBetweenTheFragmentsOfAMessageIsAnsweredAtOnce() {
            WebSocketProtocol p = server();
            byte[] in = fromPeer(p, frame(OpCode.TEXT, false, "a"), Frame.of(OpCode.PING, new byte[] {7}),
                    frame(OpCode.CONTINUATION, true, "b"));
            assertThat(receive(p, in)).containsExactly(new Event.Ping(new byte[] {7}), new Event.Text("ab"));
            assertThat(p.dataToSend()).isEqualTo(ours(p, Frame.of(OpCode.PONG, new byte[] {7})));
        }

        @Test
        void ourPongGoesBetweenTheFragmentsWeSend() {
            WebSocketProtocol p = server();
            p.sendFragment(false, new byte[] {1}, 0, 1, false);
            byte[] first = p.dataToSend();
            receive(p, fromPeer(p, Frame.of(OpCode.PING, new byte[0])));
            p.sendFragment(false, new byte[] {2}, 0, 1, true);
            assertThat(concat(first, p.dataToSend())).isEqualTo(ours(p,
                    new Frame(false, false, false, false, OpCode.BINARY, new byte[] {1}),
                    Frame.of(OpCode.PONG, new byte[0]),
                    Frame.of(OpCode.CONTINUATION, new byte[] {2})));
        }

        @Test
        void aContinuationWithNothingToContinueFailsWith1002() {
            WebSocketProtocol p = server();
            assertThat(receive(p, fromPeer(p, frame(OpCode.CONTINUATION, true, "x"))))
                    .containsExactly(new Event.Failure(CloseCode.PROTOCOL_ERROR,
                            "continuation frame without a message to continue (RFC 6455 §5.4)"));
        }

        @Test
        void aDataFrameIsWrittenWholeBeforeAControlFrameInAnySmallBuffer() {
            WebSocketProtocol p = server();
            byte[] data = new byte[300];
            p.sendBinary(data, 0, data.length);
            ByteBuffer small = ByteBuffer.allocate(200);
            assertThat(p.writeTo(small)).isFalse();               // the header and part of the payload
            p.sendPing(new byte[] {1});                           // waits for the frame boundary
            java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
            do {
                wire.write(small.array(), 0, small.position());
                small.clear();
            } while (!p.writeTo(small));
            wire.write(small.array(), 0, small.position());
            assertThat(wire.toByteArray()).isEqualTo(ours(p, Frame.binary(data), Frame.of(OpCode.PING, new byte[] {1})));
        }
    }

    // ------------------------------------------------------------------ §5.5.1 close

    @Nested
    class Rfc6455_5_5_1_Close {
        @Test
        void thePeersCloseIsEchoedWithItsCodeAndAServerClosesTcp() {
            WebSocketProtocol p = server();
            assertThat(receive(p, fromPeer(p, close(4000, "bye")))).containsExactly(new Event.Close(4000, "bye"));
            assertThat(p.state()).isEqualTo(WebSocketProtocol.State.CLOSING_RECEIVED);
            assertThat(p.dataToSend()).isEqualTo(ours(p, close(4000, "")));
            assertThat(p.state()).isEqualTo(WebSocketProtocol.State.CLOSED);
            assertThat(p.closeTransportNow()).isTrue();
            assertThat(p.closeCode()).isEqualTo(4000);
            assertThat(p.closeReason()).isEqualTo("bye");
        }

        @Test
        void anEmptyCloseIsEchoedEmptyAndReportedAs1005() {
            WebSocketProtocol p = server();
            receive(p, fromPeer(p, Frame.of(OpCode.CLOSE, new byte[0])));
            assertThat(p.dataToSend()).isEqualTo(ours(p, Frame.of(OpCode.CLOSE, new byte[0])));
            assertThat(p.closeCode()).isEqualTo(CloseCode.NO_STATUS);
        }

        @Test
        void aClientWaitsForTheServerToCloseTcp_7_1_1() {
            WebSocketProtocol p = client();
            receive(p, fromPeer(p, close(1000, "")));
            p.dataToSend();
            assertThat(p.state()).isEqualTo(WebSocketProtocol.State.CLOSED);
            assertThat(p.closeTransportNow()).isFalse();
            p.receiveEof();
            assertThat(p.closeTransportNow()).isTrue();
            assertThat(p.closeCode()).isEqualTo(1000);
        }

        @Test
        void weCloseFirstAndThePeersAnswerCompletesTheHandshake() {
            WebSocketProtocol p = server();
            p.close(1000, "done");
            assertThat(p.state()).isEqualTo(WebSocketProtocol.State.CLOSING_SENT);
            assertThat(p.dataToSend()).isEqualTo(ours(p, close(1000, "done")));
            assertThat(p.closeTransportNow()).isFalse();
            receive(p, fromPeer(p, close(1000, "")));
            assertThat(p.dataToSend()).isEmpty();                  // no second close frame
            assertThat(p.state()).isEqualTo(WebSocketProtocol.State.CLOSED);
            assertThat(p.closeTransportNow()).isTrue();
        }

        @Test
        void dataStillArrivesAfterOurCloseUntilThePeersClose() {
            WebSocketProtocol p = server();
            p.close(1000, "");
            p.dataToSend();
            assertThat(receive(p, fromPeer(p, Frame.text("late"), close(1000, ""))))
                    .containsExactly(new Event.Text("late"), new Event.Close(1000, ""));
        }

        @Test
        void bytesAfterThePeersCloseAreIgnored() {
            WebSocketProtocol p = server();
            assertThat(receive(p, fromPeer(p, close(1000, ""), Frame.text("after"), Frame.of(OpCode.PING, new byte[0]))))
                    .containsExactly(new Event.Close(1000, ""));
            assertThat(receive(p, fromPeer(p, Frame.text("later still")))).isEmpty();
            assertThat(p.dataToSend()).isEqualTo(ours(p, close(1000, "")));
        }

        @Test
        void nothingIsSentAfterOurClose() {
            WebSocketProtocol p = server();
            p.close(1001, "");
            assertThatThrownBy(() -> p.sendText("x")).isInstanceOf(IllegalStateException.class).hasMessageContaining("§5.5.1");
            assertThatThrownBy(() -> p.sendPing(new byte[0])).isInstanceOf(IllegalStateException.class);
            receive(p, fromPeer(p, Frame.of(OpCode.PING, new byte[] {1})));
            assertThat(p.dataToSend()).isEqualTo(ours(p, close(1001, "")));   // and no pong
        }

        @Test
        void theEchoedCodeWinsOverALaterClose() {
            WebSocketProtocol p = server();
            receive(p, fromPeer(p, close(4000, "")));
            p.close(1000, "view returned");
            assertThat(p.dataToSend()).isEqualTo(ours(p, close(4000, "")));
        }

        @Test
        void closeIsIdempotentAndTheFirstOneWins() {
            WebSocketProtocol p = server();
            p.close(4001, "first");
            p.close(4002, "second");
            assertThat(p.dataToSend()).isEqualTo(ours(p, close(4001, "first")));
        }

        @Test
        void ourCloseWaitsForTheMessageBeingWritten() {
            WebSocketProtocol p = server();
            p.sendText("message");
            p.close(1000, "");
            assertThat(p.dataToSend()).isEqualTo(ours(p, Frame.text("message"), close(1000, "")));
        }

        @Test
        void closeBetweenOurFragmentsEndsTheMessage() {
            WebSocketProtocol p = server();
            p.sendFragment(true, "ab".getBytes(StandardCharsets.UTF_8), 0, 2, false);
            p.close(1000, "");
            assertThat(p.dataToSend()).isEqualTo(ours(p, frame(OpCode.TEXT, false, "ab"), close(1000, "")));
            assertThat(p.isFragmenting()).isFalse();
        }

        @Test
        void thePeerMayCloseInTheMiddleOfAFragmentedMessage() {
            WebSocketProtocol p = server();
            assertThat(receive(p, fromPeer(p, frame(OpCode.TEXT, false, "par"), close(1000, ""))))
                    .containsExactly(new Event.Close(1000, ""));
            assertThat(p.dataToSend()).isEqualTo(ours(p, close(1000, "")));
        }

        @Test
        void aOneBytePayloadFailsWith1002() {
            WebSocketProtocol p = server();
            assertThat(receive(p, fromPeer(p, Frame.of(OpCode.CLOSE, new byte[] {3}))))
                    .singleElement().isEqualTo(new Event.Failure(CloseCode.PROTOCOL_ERROR,
                            "close frame with a 1-byte payload (RFC 6455 §5.5.1)"));
        }

        @Test
        void aReasonThatIsNotUtf8FailsWith1007() {
            WebSocketProtocol p = server();
            byte[] payload = {0x03, (byte) 0xE8, (byte) 0xFF};
            Event e = receive(p, fromPeer(p, Frame.of(OpCode.CLOSE, payload))).get(0);
            assertThat(((Event.Failure) e).closeCode()).isEqualTo(CloseCode.INVALID_PAYLOAD);
        }
    }

    // ------------------------------------------------------------------ §5.5.2 ping, §5.5.3 pong

    @Nested
    class Rfc6455_5_5_2_PingAndPong {
        @Test
        void aPingIsAnsweredWithItsPayload() {
            WebSocketProtocol p = server();
            assertThat(receive(p, fromPeer(p, Frame.of(OpCode.PING, new byte[] {1, 2, 3}))))
                    .containsExactly(new Event.Ping(new byte[] {1, 2, 3}));
            assertThat(p.dataToSend()).isEqualTo(ours(p, Frame.of(OpCode.PONG, new byte[] {1, 2, 3})));
        }

        @Test
        void onlyTheLatestOfSeveralUnansweredPingsIsAnswered() {
            WebSocketProtocol p = server();
            receive(p, fromPeer(p, Frame.of(OpCode.PING, new byte[] {1}), Frame.of(OpCode.PING, new byte[] {2})));
            assertThat(p.dataToSend()).isEqualTo(ours(p, Frame.of(OpCode.PONG, new byte[] {2})));
        }

        @Test
        void thePongOvertakesAMessageWaitingToBeWritten() {
            WebSocketProtocol p = server();
            p.sendText("queued");
            receive(p, fromPeer(p, Frame.of(OpCode.PING, new byte[] {9})));
            assertThat(p.dataToSend()).isEqualTo(ours(p, Frame.of(OpCode.PONG, new byte[] {9}), Frame.text("queued")));
        }

        @Test
        void anUnsolicitedPongIsReportedAndNotAnswered() {
            WebSocketProtocol p = server();
            assertThat(receive(p, fromPeer(p, Frame.of(OpCode.PONG, new byte[] {5}))))
                    .containsExactly(new Event.Pong(new byte[] {5}));
            assertThat(p.hasDataToSend()).isFalse();
        }

        @Test
        void ourPingAndPongGoOutAsQueued() {
            WebSocketProtocol p = client();
            p.sendPing(new byte[] {1});
            p.sendPong(new byte[] {2});
            assertThat(p.dataToSend()).isEqualTo(ours(p, Frame.of(OpCode.PING, new byte[] {1}), Frame.of(OpCode.PONG, new byte[] {2})));
        }

        @Test
        void controlPayloadsOver125BytesAreRefused() {
            assertThatThrownBy(() -> server().sendPing(new byte[126])).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void controlFramesThatAreNeverWrittenAreBounded() {
            WebSocketProtocol p = server();
            for (int i = 0; i < WebSocketProtocol.MAX_QUEUED_CONTROL_FRAMES; i++) p.sendPong(new byte[0]);
            assertThatThrownBy(() -> p.sendPong(new byte[0])).isInstanceOf(IllegalStateException.class);
        }

        /** Keepalive: the peer's frames after our ping prove it alive, but a pong that is not the answer does not. */
        @Test
        void framesOtherThanPongsCountAsActivity() {
            WebSocketProtocol p = server();
            p.sendPing(new byte[] {1});
            long mark = p.activity();
            receive(p, fromPeer(p, Frame.of(OpCode.PONG, new byte[] {42})));
            assertThat(p.activity()).isEqualTo(mark);
            receive(p, fromPeer(p, Frame.text("still here")));
            assertThat(p.activity()).isGreaterThan(mark);
        }
    }

    // ------------------------------------------------------------------ §7.1.5, §7.1.7: closing and failing

    @Nested
    class Rfc6455_7_1_FailingTheConnection {

        /** A valid message, then a frame that breaks the protocol, all in one read. */
        enum Breach {
            RSV2, ORPHAN_CONTINUATION, UNKNOWN_OPCODE;

            byte[] bytes(WebSocketProtocol p) {
                return switch (this) {
                    case RSV2 -> {
                        byte[] b = fromPeer(p, Frame.text("x"));
                        b[0] |= 0x20; // no extension defines RSV2 (§5.2)
                        yield b;
                    }
                    case ORPHAN_CONTINUATION -> fromPeer(p, frame(OpCode.CONTINUATION, true, "x"));
                    case UNKNOWN_OPCODE -> fromPeer(p, Frame.of(0x3, new byte[0]));
                };
            }
        }

        @ParameterizedTest
        @EnumSource(Breach.class)
        void messagesBeforeAProtocolErrorAreDeliveredAndAnsweredBeforeTheClose(Breach breach) {
            for (Hex.Split split : Hex.Split.values()) {
                WebSocketProtocol p = server();
                List<Event> events = Hex.feed(concat(fromPeer(p, Frame.text("first")), breach.bytes(p)), split, p::receiveData);
                assertThat(events).as("%s", split).hasSize(2);
                assertThat(events.get(0)).isEqualTo(new Event.Text("first"));
                Event.Failure f = (Event.Failure) events.get(1);
                assertThat(f.closeCode()).isEqualTo(CloseCode.PROTOCOL_ERROR);
                assertThat(p.hasDataToSend()).isFalse();        // the driver decides when to fail
                p.sendText("echo: first");                        // the application answers
                p.fail(f.closeCode(), f.reason());
                assertThat(p.dataToSend()).isEqualTo(ours(p, Frame.text("echo: first"), close(1002, f.reason())));
                assertThat(p.state()).isEqualTo(WebSocketProtocol.State.CLOSED);
                assertThat(p.closeTransportNow()).isTrue();
                assertThat(p.closeCode()).isEqualTo(1002);
            }
        }

        @Test
        void aCloseAfterAReportedFailureSendsTheFailuresCode() {
            WebSocketProtocol p = server();
            Event.Failure f = (Event.Failure) receive(p, fromPeer(p, frame(OpCode.CONTINUATION, true, "x"))).get(0);
            p.close(1000, "");                                    // the view returned first
            assertThat(p.dataToSend()).isEqualTo(ours(p, close(1002, f.reason())));
            assertThat(p.closeCode()).isEqualTo(1002);
        }

        @Test
        void nothingIsReadAfterAFailure() {
            WebSocketProtocol p = server();
            receive(p, fromPeer(p, Frame.of(0xB, new byte[0])));
            assertThat(receive(p, fromPeer(p, Frame.text("more"), Frame.of(OpCode.PING, new byte[0])))).isEmpty();
            assertThat(p.hasDataToSend()).isFalse();
        }

        @Test
        void aClientThatFailsClosesTcpWithoutWaitingForTheServer() {
            WebSocketProtocol p = client();
            p.fail(CloseCode.POLICY_VIOLATION, "write timeout");
            assertThat(p.dataToSend()).isEqualTo(ours(p, close(1008, "write timeout")));
            assertThat(p.closeTransportNow()).isTrue();
        }

        @Test
        void failingWhileClosingKeepsTheCloseFrameAlreadySent() {
            WebSocketProtocol p = server();
            p.close(1000, "");
            p.dataToSend();
            p.fail(CloseCode.INTERNAL_ERROR, "keepalive ping timeout");
            assertThat(p.hasDataToSend()).isFalse();
            assertThat(p.state()).isEqualTo(WebSocketProtocol.State.CLOSED);
            assertThat(p.closeCode()).isEqualTo(1011);
        }

        @Test
        void failingWithAbnormalClosureSendsNothing() {
            WebSocketProtocol p = server();
            p.sendText("never sent");
            p.fail(CloseCode.ABNORMAL, "aborted");
            assertThat(p.hasDataToSend()).isFalse();
            assertThat(p.dataToSend()).isEmpty();
            assertThat(p.state()).isEqualTo(WebSocketProtocol.State.CLOSED);
            assertThat(p.closeCode()).isEqualTo(CloseCode.ABNORMAL);
        }

        @Test
        void theFirstFailureIsTheOneReported() {
            WebSocketProtocol p = server();
            p.fail(CloseCode.MESSAGE_TOO_BIG, "big");
            p.fail(CloseCode.INTERNAL_ERROR, "later");
            assertThat(p.dataToSend()).isEqualTo(ours(p, close(1009, "big")));
            assertThat(p.closeCode()).isEqualTo(1009);
        }

        @Test
        void endOfStreamWithoutACloseFrameIs1006_7_1_5() {
            WebSocketProtocol p = server();
            p.sendText("unsent");
            p.receiveEof();
            assertThat(p.state()).isEqualTo(WebSocketProtocol.State.CLOSED);
            assertThat(p.closeCode()).isEqualTo(CloseCode.ABNORMAL);
            assertThat(p.hasDataToSend()).isFalse();
            assertThatThrownBy(() -> p.sendText("x")).isInstanceOf(IllegalStateException.class);
        }

        @Test
        void endOfStreamInTheMiddleOfAMessageLeavesItUnfinished() {
            WebSocketProtocol p = server();
            receive(p, fromPeer(p, frame(OpCode.TEXT, false, "half")));
            assertThat(p.isMidMessage()).isTrue();
            p.receiveEof();
            assertThat(p.closeCode()).isEqualTo(CloseCode.ABNORMAL);
        }
    }

    // ------------------------------------------------------------------ §7.4 close codes

    @Nested
    class Rfc6455_7_4_CloseCodes {
        @ParameterizedTest
        @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 2999, 5000})
        void codesThatMayNotBeSentAreRefused(int code) {
            WebSocketProtocol p = server();
            assertThatThrownBy(() -> p.close(code, "r")).isInstanceOf(IllegalArgumentException.class);
            assertThat(p.state()).isEqualTo(WebSocketProtocol.State.OPEN);
        }

        @Test
        void noStatusSendsAnEmptyClose() {
            WebSocketProtocol p = server();
            p.close(CloseCode.NO_STATUS, "");
            assertThat(p.dataToSend()).isEqualTo(ours(p, Frame.of(OpCode.CLOSE, new byte[0])));
        }

        @Test
        void aReasonOver123BytesIsRefused() {
            assertThatThrownBy(() -> server().close(1000, "x".repeat(124))).isInstanceOf(IllegalArgumentException.class);
        }

        @ParameterizedTest
        @ValueSource(ints = {999, 1004, 1005, 1006, 1015, 1016, 2000, 5000})
        void aReceivedInvalidCodeFailsWith1002(int code) {
            WebSocketProtocol p = server();
            byte[] payload = {(byte) (code >> 8), (byte) code};
            Event e = receive(p, fromPeer(p, Frame.of(OpCode.CLOSE, payload))).get(0);
            assertThat(e).isInstanceOf(Event.Failure.class);
            assertThat(((Event.Failure) e).closeCode()).isEqualTo(CloseCode.PROTOCOL_ERROR);
        }
    }

    // ------------------------------------------------------------------ §8.1 UTF-8, §10.4 limits

    @Nested
    class Rfc6455_8_1_And_10_4 {
        @Test
        void invalidUtf8InTextFailsWith1007AfterTheMessagesBeforeIt() {
            WebSocketProtocol p = server();
            byte[] bad = {(byte) 0xC3, 0x28};
            assertThat(receive(p, fromPeer(p, Frame.text("ok"), Frame.of(OpCode.TEXT, bad))))
                    .containsExactly(new Event.Text("ok"),
                            new Event.Failure(CloseCode.INVALID_PAYLOAD, "invalid UTF-8 in a text message (RFC 6455 §8.1)"));
        }

        @Test
        void aMessageOverTheLimitFailsWith1009() {
            WebSocketProtocol p = new WebSocketProtocol(Role.SERVER, CFG.withMaxMessageSize(4), null, null);
            Event e = receive(p, fromPeer(p, Frame.binary(new byte[5]))).get(0);
            assertThat(((Event.Failure) e).closeCode()).isEqualTo(CloseCode.MESSAGE_TOO_BIG);
        }

        @Test
        void sendingInvalidUtf8IsRefusedBeforeTheWire() {
            WebSocketProtocol p = server();
            assertThatThrownBy(() -> p.sendText(new byte[] {(byte) 0xFF}, 0, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThat(p.hasDataToSend()).isFalse();
        }
    }

    // ------------------------------------------------------------------ driving: one event per call, streaming, direct writes

    @Nested
    class Driving {
        @Test
        void oneEventPerCallLeavesTheRestUnconsumedForBackpressure() {
            WebSocketProtocol p = server();
            byte[] a = fromPeer(p, Frame.text("a"));
            ByteBuffer in = ByteBuffer.wrap(concat(a, fromPeer(p, Frame.text("b"))));
            assertThat(p.receiveData(in)).isEqualTo(new Event.Text("a"));
            assertThat(in.position()).isEqualTo(a.length);
            assertThat(p.receiveData(in)).isEqualTo(new Event.Text("b"));
            assertThat(p.receiveData(in)).isNull();
        }

        @Test
        void streamingModeDeliversAMessageInChunks() {
            WebSocketProtocol p = new WebSocketProtocol(Role.SERVER, CFG.withStreamChunkSize(16), null, null);
            p.setStreaming(true);
            byte[] data = new byte[40];
            List<Event> events = receive(p, fromPeer(p, Frame.binary(data)));
            assertThat(events).first().isEqualTo(new Event.StreamStart(false));
            assertThat(events).last().isEqualTo(new Event.StreamEnd());
            assertThat(events.stream().filter(e -> e instanceof Event.StreamData)
                    .mapToInt(e -> ((Event.StreamData) e).data().length).sum()).isEqualTo(40);
        }

        @Test
        void aServerMayWriteALargePayloadStraightFromTheCallersArray() {
            WebSocketProtocol p = server();
            byte[] data = new byte[1000];
            p.sendBinary(data, 0, data.length);
            ByteBuffer head = ByteBuffer.allocate(8);
            assertThat(p.writeTo(head)).isFalse();
            assertThat(p.canWriteDirectly()).isTrue();
            assertThat(p.atFrameBoundary()).isFalse();
            int n = p.pendingPayload();
            assertThat(head.position() + n).isEqualTo(4 + 1000);
            p.directWritten(n);
            assertThat(p.hasDataToSend()).isFalse();
        }

        @Test
        void rfc7692_aCompressedMessageRoundTripsBetweenTwoProtocols() {
            DeflateParams params = new DeflateParams(false, false, 0, 0);
            DeflateConfig dc = DeflateConfig.DEFAULT.withThreshold(0);
            EngineConfig cfg = CFG.withDeflate(dc);
            WebSocketProtocol c = new WebSocketProtocol(Role.CLIENT, cfg, PerMessageDeflate.of(Role.CLIENT, params, dc),
                    MaskSource.fixed(7));
            WebSocketProtocol s = new WebSocketProtocol(Role.SERVER, cfg, PerMessageDeflate.of(Role.SERVER, params, dc), null);
            String text = "compress me ".repeat(50);
            c.sendText(text);
            byte[] wire = c.dataToSend();
            assertThat(wire.length).isLessThan(text.length());
            assertThat(wire[0] & 0x40).as("RSV1").isEqualTo(0x40);
            assertThat(receive(s, wire)).containsExactly(new Event.Text(text));
            s.close(1000, "");
            assertThat(receive(c, s.dataToSend())).containsExactly(new Event.Close(1000, ""));
            assertThat(receive(s, c.dataToSend())).containsExactly(new Event.Close(1000, ""));
            assertThat(c.state()).isEqualTo(WebSocketProtocol.State.CLOSED);
            assertThat(s.state()).isEqualTo(WebSocketProtocol.State.CLOSED);
        }
    }
}
