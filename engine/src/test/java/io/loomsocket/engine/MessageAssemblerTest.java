package io.loomsocket.engine;

import static io.loomsocket.engine.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Message-level rules of RFC 6455 (fragments, UTF-8, close, limits), fed whole, in halves and bytewise. */
class MessageAssemblerTest {

    static final EngineConfig CFG = EngineConfig.defaults();

    /** What a client sends: masked frames. */
    static byte[] wire(Frame... frames) {
        FrameWriter w = new FrameWriter(Role.CLIENT, MaskSource.fixed(0x12345678));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame f : frames) {
            out.writeBytes(w.encode(f));
        }
        return out.toByteArray();
    }

    static Frame frag(int opcode, boolean fin, String text) {
        return new Frame(fin, false, false, false, opcode, text.getBytes(StandardCharsets.UTF_8));
    }

    static Frame frag(int opcode, boolean fin, byte[] payload) {
        return new Frame(fin, false, false, false, opcode, payload);
    }

    static List<Event> events(EngineConfig cfg, boolean streaming, byte[] wire, Hex.Split split) {
        MessageAssembler a = new MessageAssembler(Role.SERVER, cfg, null);
        a.setStreaming(streaming);
        return Hex.feed(wire, split, a::next);
    }

    static void assertFails(EngineConfig cfg, byte[] wire, int code, String part) {
        for (Hex.Split split : Hex.Split.values()) {
            for (boolean streaming : new boolean[] {false, true}) {
                assertThatThrownBy(() -> events(cfg, streaming, wire, split)).as("%s streaming=%s", split, streaming)
                        .isInstanceOf(ProtocolException.class).hasMessageContaining(part)
                        .satisfies(e -> assertThat(((ProtocolException) e).closeCode()).isEqualTo(code));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Hex.Split.class)
    void rfc6455_5_4_fragmentedTextIsAssembled(Hex.Split split) {
        byte[] w = wire(frag(OpCode.TEXT, false, "Hel"), frag(OpCode.CONTINUATION, false, ""),
                frag(OpCode.CONTINUATION, true, "lo"), Frame.binary(new byte[] {1, 2}));
        assertThat(events(CFG, false, w, split)).containsExactly(new Event.Text("Hello"), new Event.Binary(new byte[] {1, 2}));
    }

    @ParameterizedTest
    @EnumSource(Hex.Split.class)
    void rfc6455_5_4_controlFramesInterleaveWithFragments(Hex.Split split) {
        byte[] w = wire(frag(OpCode.BINARY, false, new byte[] {1}), Frame.of(OpCode.PING, bytes("aa")),
                frag(OpCode.CONTINUATION, false, new byte[] {2}), Frame.of(OpCode.PONG, new byte[0]),
                frag(OpCode.CONTINUATION, true, new byte[] {3}));
        assertThat(events(CFG, false, w, split)).containsExactly(new Event.Ping(bytes("aa")), new Event.Pong(new byte[0]),
                new Event.Binary(new byte[] {1, 2, 3}));
    }

    @Test
    void rfc6455_5_4_continuationWithoutStart_is1002() {
        assertFails(CFG, wire(frag(OpCode.CONTINUATION, true, "x")), 1002, "continuation frame without a message");
    }

    @Test
    void rfc6455_5_4_newMessageDuringFragmentedMessage_is1002() {
        assertFails(CFG, wire(frag(OpCode.TEXT, false, "a"), frag(OpCode.TEXT, true, "b")), 1002, "in progress");
        assertFails(CFG, wire(frag(OpCode.BINARY, false, "a"), frag(OpCode.TEXT, false, "b")), 1002, "in progress");
    }

    @Test
    void rfc6455_8_1_invalidUtf8InTextMessage_is1007() {
        assertFails(CFG, wire(frag(OpCode.TEXT, true, bytes("cebae1bdb9cf83ceb5eda080656469746564"))), 1007, "UTF-8");
    }

    @Test
    void rfc6455_8_1_textEndingMidCodePoint_is1007() {
        assertFails(CFG, wire(frag(OpCode.TEXT, false, bytes("41")), frag(OpCode.CONTINUATION, true, bytes("e282"))), 1007, "UTF-8");
    }

    @ParameterizedTest
    @EnumSource(Hex.Split.class)
    void rfc6455_8_1_codePointSplitAcrossFragmentsIsFine(Hex.Split split) {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        byte[] w = wire(frag(OpCode.TEXT, false, new byte[] {euro[0]}), frag(OpCode.CONTINUATION, false, new byte[] {euro[1]}),
                frag(OpCode.CONTINUATION, true, new byte[] {euro[2]}));
        assertThat(events(CFG, false, w, split)).containsExactly(new Event.Text("€"));
    }

    @Test
    void rfc6455_8_1_invalidUtf8FailsAtTheFirstBadFragmentNotAtMessageEnd() {
        // the final fragment never arrives: the bad byte in the first fragment is enough
        MessageAssembler a = new MessageAssembler(Role.SERVER, CFG, null);
        ByteBuffer b = ByteBuffer.wrap(wire(frag(OpCode.TEXT, false, bytes("cebae1bdb9cf83ceb5eda080"))));
        assertThatThrownBy(() -> a.next(b)).isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).closeCode()).isEqualTo(1007));
    }

    @Test
    void rfc6455_8_1_invalidUtf8FailsWhileTheFrameIsStillArriving() {
        // Autobahn 6.4.3: the frame's tail has not arrived yet, the invalid byte already has
        byte[] payload = Hex.concat(bytes("cebae1bdb9cf83ceb5"), bytes("f4908080"), new byte[100]);
        byte[] w = wire(frag(OpCode.TEXT, true, payload));
        MessageAssembler a = new MessageAssembler(Role.SERVER, CFG, null);
        ByteBuffer first = ByteBuffer.wrap(w, 0, 2 + 4 + 13); // header + key + 13 payload bytes
        assertThatThrownBy(() -> a.next(first)).isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).closeCode()).isEqualTo(1007));
    }

    @ParameterizedTest
    @EnumSource(Hex.Split.class)
    void rfc6455_5_5_1_closeFrames(Hex.Split split) {
        assertThat(events(CFG, false, wire(Frame.of(OpCode.CLOSE, new byte[0])), split))
                .containsExactly(new Event.Close(1005, ""));
        byte[] p = Hex.concat(bytes("03e8"), "bye ✓".getBytes(StandardCharsets.UTF_8));
        assertThat(events(CFG, false, wire(Frame.of(OpCode.CLOSE, p)), split)).containsExactly(new Event.Close(1000, "bye ✓"));
        assertThat(new Event.Close(1000, "x").echoPayload()).isEqualTo(bytes("03e8"));
        assertThat(new Event.Close(1005, "").echoPayload()).isEmpty();
    }

    @Test
    void rfc6455_5_5_1_oneByteClosePayload_is1002() {
        assertFails(CFG, wire(Frame.of(OpCode.CLOSE, bytes("03"))), 1002, "1-byte");
    }

    @Test
    void rfc6455_7_4_invalidCloseCodes_are1002() {
        for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
            assertFails(CFG, wire(Frame.of(OpCode.CLOSE, new byte[] {(byte) (code >> 8), (byte) code})), 1002, "invalid close code");
        }
    }

    @Test
    void rfc6455_7_4_validCloseCodesAreAccepted() {
        for (int code : new int[] {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999}) {
            List<Event> ev = events(CFG, false, wire(Frame.of(OpCode.CLOSE, new byte[] {(byte) (code >> 8), (byte) code})), Hex.Split.WHOLE);
            assertThat(ev).containsExactly(new Event.Close(code, ""));
        }
    }

    @Test
    void rfc6455_5_5_1_invalidUtf8CloseReason_is1007() {
        assertFails(CFG, wire(Frame.of(OpCode.CLOSE, bytes("03e8 ff"))), 1007, "close reason");
    }

    @Test
    void rfc6455_5_5_1_nothingIsReportedAfterClose() {
        MessageAssembler a = new MessageAssembler(Role.SERVER, CFG, null);
        ByteBuffer b = ByteBuffer.wrap(wire(Frame.of(OpCode.CLOSE, bytes("03e8")), Frame.text("late")));
        assertThat(a.next(b)).isEqualTo(new Event.Close(1000, ""));
        assertThat(a.next(b)).isNull();
        assertThat(a.isClosed()).isTrue();
        assertThat(b.hasRemaining()).isTrue();
    }

    @Test
    void rfc6455_10_4_messageOverLimit_is1009FromTheHeader() {
        EngineConfig cfg = CFG.withMaxMessageSize(10);
        // the third header announces more than the limit; its payload never arrives
        byte[] w = wire(frag(OpCode.BINARY, false, new byte[4]), frag(OpCode.CONTINUATION, false, new byte[4]));
        byte[] third = wire(frag(OpCode.CONTINUATION, true, new byte[3]));
        byte[] input = Hex.concat(w, java.util.Arrays.copyOf(third, 6));
        for (Hex.Split split : Hex.Split.values()) {
            assertThatThrownBy(() -> events(cfg, false, input, split)).isInstanceOf(ProtocolException.class)
                    .satisfies(e -> assertThat(((ProtocolException) e).closeCode()).isEqualTo(1009));
        }
        assertThat(events(cfg, false, wire(Frame.binary(new byte[10])), Hex.Split.WHOLE)).hasSize(1);
    }

    /** The frame that starts a message plus {@code continuations} empty continuation frames, the last one final. */
    static byte[] emptyFragments(int continuations) {
        Frame[] frames = new Frame[continuations + 1];
        frames[0] = frag(OpCode.TEXT, false, "a");
        for (int i = 1; i <= continuations; i++) {
            frames[i] = frag(OpCode.CONTINUATION, i == continuations, "");
        }
        return wire(frames);
    }

    @Test
    void fragmentsPerMessageOverTheLimit_is1009AtTheFirstFrameTooMany() {
        EngineConfig cfg = CFG.withMaxFragments(5);
        assertThat(events(cfg, false, emptyFragments(4), Hex.Split.WHOLE)).containsExactly(new Event.Text("a"));
        for (Hex.Split split : Hex.Split.values()) {
            // five frames read, the sixth's header refused; the frames after it are never parsed
            assertThatThrownBy(() -> events(cfg, false, emptyFragments(300), split)).as(split.name())
                    .isInstanceOf(ProtocolException.class).hasMessageContaining("more than 5 fragments")
                    .satisfies(e -> assertThat(((ProtocolException) e).closeCode()).isEqualTo(1009));
        }
    }

    @Test
    void defaultFragmentLimitRefusesTheAuditsThreeHundredThousandEmptyFragments() {
        assertThat(CFG.maxFragments()).isEqualTo(1024);
        assertThat(events(CFG, false, emptyFragments(1023), Hex.Split.WHOLE)).containsExactly(new Event.Text("a"));
        assertThatThrownBy(() -> events(CFG, false, emptyFragments(300_000), Hex.Split.WHOLE))
                .isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).closeCode()).isEqualTo(1009));
    }

    @Test
    void streamedMessagesAreNotBoundByTheFragmentLimit() {
        EngineConfig cfg = CFG.withMaxFragments(2);
        List<Event> ev = events(cfg, true, emptyFragments(10), Hex.Split.WHOLE);
        assertThat(ev.get(ev.size() - 1)).isEqualTo(new Event.StreamEnd());
    }

    @Test
    void streamingDeliversChunksWithoutAssembling() {
        EngineConfig cfg = CFG.withStreamChunkSize(16).withMaxMessageSize(20); // the message limit does not apply to streams
        byte[] big = new byte[50];
        new Random(3).nextBytes(big);
        byte[] w = wire(frag(OpCode.BINARY, false, java.util.Arrays.copyOfRange(big, 0, 20)),
                Frame.of(OpCode.PING, new byte[0]), frag(OpCode.CONTINUATION, true, java.util.Arrays.copyOfRange(big, 20, 50)));
        for (Hex.Split split : Hex.Split.values()) {
            List<Event> ev = events(cfg, true, w, split);
            assertThat(ev.get(0)).isEqualTo(new Event.StreamStart(false));
            assertThat(ev.get(ev.size() - 1)).isEqualTo(new Event.StreamEnd());
            assertThat(ev).contains(new Event.Ping(new byte[0]));
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            for (Event e : ev) {
                if (e instanceof Event.StreamData d) {
                    assertThat(d.data().length).isBetween(1, 16);
                    got.writeBytes(d.data());
                }
            }
            assertThat(got.toByteArray()).isEqualTo(big);
        }
    }

    @Test
    void streamingTextChunksEndOnCodePointBoundaries() {
        String text = "aé€😀".repeat(40);
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        EngineConfig cfg = CFG.withStreamChunkSize(16);
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < utf8.length; i += 7) { // fragments split code points
            frames.add(frag(i == 0 ? OpCode.TEXT : OpCode.CONTINUATION, i + 7 >= utf8.length,
                    java.util.Arrays.copyOfRange(utf8, i, Math.min(utf8.length, i + 7))));
        }
        List<Event> ev = events(cfg, true, wire(frames.toArray(Frame[]::new)), Hex.Split.WHOLE);
        StringBuilder sb = new StringBuilder();
        for (Event e : ev) {
            if (e instanceof Event.StreamData d) {
                assertThat(Utf8Validator.isValid(d.data())).isTrue();
                sb.append(new String(d.data(), StandardCharsets.UTF_8));
            }
        }
        assertThat(sb.toString()).isEqualTo(text);
        assertThat(ev.get(0)).isEqualTo(new Event.StreamStart(true));
    }

    @Test
    void streamingModeChangesAtMessageBoundariesOnly() {
        MessageAssembler a = new MessageAssembler(Role.SERVER, CFG, null);
        ByteBuffer b = ByteBuffer.wrap(wire(frag(OpCode.TEXT, false, "ab"), frag(OpCode.CONTINUATION, true, "c"), Frame.text("d")));
        a.setStreaming(true);
        assertThat(a.next(b)).isEqualTo(new Event.StreamStart(true));
        a.setStreaming(false);
        assertThat(a.next(b)).isInstanceOf(Event.StreamData.class);
        assertThat(a.next(b)).isInstanceOf(Event.StreamData.class);
        assertThat(a.next(b)).isEqualTo(new Event.StreamEnd());
        assertThat(a.next(b)).isEqualTo(new Event.Text("d"));
        assertThat(a.isMidMessage()).isFalse();
    }

    @Test
    void streamedMessageLimit_is1009() {
        EngineConfig cfg = CFG.withMaxStreamedMessageSize(5);
        byte[] w = wire(frag(OpCode.BINARY, false, new byte[3]), frag(OpCode.CONTINUATION, true, new byte[3]));
        assertThatThrownBy(() -> events(cfg, true, w, Hex.Split.WHOLE)).isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).closeCode()).isEqualTo(1009));
    }

    static byte[] collectStream(List<Event> ev, boolean text) {
        assertThat(ev.get(0)).isEqualTo(new Event.StreamStart(text));
        assertThat(ev.get(ev.size() - 1)).isEqualTo(new Event.StreamEnd());
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        for (Event e : ev.subList(1, ev.size() - 1)) {
            got.writeBytes(((Event.StreamData) e).data());
        }
        return got.toByteArray();
    }

    @Test
    void streamingReadsAFrameBiggerThanMaxFrameSizeInPieces() {
        // a browser sends a big message as one frame: streamed, it is never buffered whole
        EngineConfig cfg = CFG.withMaxFrameSize(1000).withMaxMessageSize(1000).withStreamChunkSize(256);
        byte[] big = new byte[100_000];
        new Random(11).nextBytes(big);
        byte[] w = wire(Frame.binary(big), Frame.binary(new byte[] {7}));
        for (Hex.Split split : Hex.Split.values()) {
            List<Event> ev = events(cfg, true, w, split);
            int end = ev.indexOf(new Event.StreamEnd());
            for (Event e : ev.subList(1, end)) {
                assertThat(((Event.StreamData) e).data().length).isBetween(1, 256);
            }
            assertThat(collectStream(ev.subList(0, end + 1), false)).as(split.name()).isEqualTo(big);
            assertThat(ev.subList(end + 1, ev.size())).containsExactly(new Event.StreamStart(false),
                    new Event.StreamData(new byte[] {7}), new Event.StreamEnd());
        }
        // not streaming, the same frame is refused from its header
        assertThatThrownBy(() -> events(cfg, false, w, Hex.Split.WHOLE)).isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).closeCode()).isEqualTo(1009));
        // the streamed-message limit still applies, from the header
        assertThatThrownBy(() -> events(cfg.withMaxStreamedMessageSize(99_999), true, java.util.Arrays.copyOf(w, 20), Hex.Split.WHOLE))
                .isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).closeCode()).isEqualTo(1009));
    }

    @Test
    void streamedBigTextFrameIsValidatedPieceByPiece() {
        EngineConfig cfg = CFG.withMaxFrameSize(200).withStreamChunkSize(64);
        String text = "aé€😀".repeat(500);
        byte[] w = wire(frag(OpCode.TEXT, false, text.substring(0, 10)), frag(OpCode.CONTINUATION, true, text.substring(10)));
        for (Hex.Split split : Hex.Split.values()) {
            List<Event> ev = events(cfg, true, w, split);
            for (Event e : ev.subList(1, ev.size() - 1)) {
                assertThat(Utf8Validator.isValid(((Event.StreamData) e).data())).isTrue();
            }
            assertThat(new String(collectStream(ev, true), StandardCharsets.UTF_8)).isEqualTo(text);
        }
        // an invalid byte early in a huge frame fails before the rest arrives
        byte[] bad = Hex.concat("ok".getBytes(StandardCharsets.UTF_8), bytes("ff"), new byte[10_000]);
        byte[] bw = wire(frag(OpCode.TEXT, true, bad));
        MessageAssembler a = new MessageAssembler(Role.SERVER, cfg, null);
        a.setStreaming(true);
        ByteBuffer head = ByteBuffer.wrap(bw, 0, 200);
        assertThatThrownBy(() -> { while (a.next(head) != null) { /* drain */ } }).isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).closeCode()).isEqualTo(1007));
    }

    @Test
    void failedAssemblerRefusesFurtherUse() {
        MessageAssembler a = new MessageAssembler(Role.SERVER, CFG, null);
        ByteBuffer b = ByteBuffer.wrap(wire(frag(OpCode.CONTINUATION, true, "x")));
        assertThatThrownBy(() -> a.next(b)).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> a.next(b)).isInstanceOf(IllegalStateException.class);
    }
}
