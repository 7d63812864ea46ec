package io.loomsocket.engine;

import static io.loomsocket.engine.Hex.bytes;
import static io.loomsocket.engine.Hex.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Byte-exact framing: RFC 6455 §5.7 examples, boundary lengths, every input whole/halves/one byte. */
class FrameCodecTest {

    static final int RFC_MASK = 0x37fa213d; // the key of the RFC 6455 §5.7 examples

    static List<Frame> parse(Role role, byte[] wire, Hex.Split split) {
        FrameParser p = new FrameParser(role, 1 << 20, false);
        return Hex.feed(wire, split, p::parse);
    }

    @ParameterizedTest
    @EnumSource(Hex.Split.class)
    void rfc6455_5_7_singleFrameUnmaskedText(Hex.Split split) {
        byte[] wire = bytes("81 05 48 65 6c 6c 6f");
        assertThat(parse(Role.CLIENT, wire, split)).containsExactly(Frame.text("Hello"));
        assertThat(new FrameWriter(Role.SERVER, null).encode(Frame.text("Hello"))).isEqualTo(wire);
    }

    @ParameterizedTest
    @EnumSource(Hex.Split.class)
    void rfc6455_5_7_singleFrameMaskedText(Hex.Split split) {
        byte[] wire = bytes("81 85 37 fa 21 3d 7f 9f 4d 51 58");
        assertThat(parse(Role.SERVER, wire, split)).containsExactly(Frame.text("Hello"));
        assertThat(new FrameWriter(Role.CLIENT, MaskSource.fixed(RFC_MASK)).encode(Frame.text("Hello"))).isEqualTo(wire);
    }

    @ParameterizedTest
    @EnumSource(Hex.Split.class)
    void rfc6455_5_7_fragmentedUnmaskedText(Hex.Split split) {
        byte[] wire = bytes("01 03 48 65 6c 80 02 6c 6f");
        assertThat(parse(Role.CLIENT, wire, split)).containsExactly(
                new Frame(false, false, false, false, OpCode.TEXT, "Hel".getBytes(StandardCharsets.UTF_8)),
                new Frame(true, false, false, false, OpCode.CONTINUATION, "lo".getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @EnumSource(Hex.Split.class)
    void rfc6455_5_7_unmaskedPingAndMaskedPong(Hex.Split split) {
        assertThat(parse(Role.CLIENT, bytes("89 05 48 65 6c 6c 6f"), split))
                .containsExactly(Frame.of(OpCode.PING, "Hello".getBytes(StandardCharsets.UTF_8)));
        byte[] pong = bytes("8a 85 37 fa 21 3d 7f 9f 4d 51 58");
        assertThat(parse(Role.SERVER, pong, split))
                .containsExactly(Frame.of(OpCode.PONG, "Hello".getBytes(StandardCharsets.UTF_8)));
        assertThat(new FrameWriter(Role.CLIENT, MaskSource.fixed(RFC_MASK))
                .encode(Frame.of(OpCode.PONG, "Hello".getBytes(StandardCharsets.UTF_8)))).isEqualTo(pong);
    }

    @Test
    void rfc6455_5_7_256ByteAnd64KiBBinary() {
        byte[] p256 = new byte[256];
        byte[] wire256 = new FrameWriter(Role.SERVER, null).encode(Frame.binary(p256));
        assertThat(hex(java.util.Arrays.copyOf(wire256, 4))).isEqualTo("827e0100");
        byte[] p64k = new byte[65536];
        byte[] wire64k = new FrameWriter(Role.SERVER, null).encode(Frame.binary(p64k));
        assertThat(hex(java.util.Arrays.copyOf(wire64k, 10))).isEqualTo("827f0000000000010000");
    }

    static int[] boundaryLengths() {
        return new int[] {0, 1, 7, 8, 9, 125, 126, 127, 65535, 65536, 70001};
    }

    @ParameterizedTest
    @MethodSource("boundaryLengths")
    void rfc6455_5_2_lengthEncodingsRoundTrip(int length) {
        byte[] payload = new byte[length];
        new Random(length).nextBytes(payload);
        for (Role sender : Role.values()) {
            FrameWriter w = new FrameWriter(sender, MaskSource.fixed(0x01020304));
            byte[] wire = w.encode(Frame.binary(payload));
            int expectedHeader = (length <= 125 ? 2 : length <= 65535 ? 4 : 10) + (sender == Role.CLIENT ? 4 : 0);
            assertThat(wire).hasSize(expectedHeader + length);
            int len7 = wire[1] & 0x7F;
            assertThat(len7).isEqualTo(length <= 125 ? length : length <= 65535 ? 126 : 127);
            Role receiver = sender == Role.CLIENT ? Role.SERVER : Role.CLIENT;
            for (Hex.Split split : length > 1000 ? new Hex.Split[] {Hex.Split.WHOLE, Hex.Split.HALVES}
                    : Hex.Split.values()) {
                assertThat(parse(receiver, wire, split)).as("%s %s", sender, split).containsExactly(Frame.binary(payload));
            }
        }
    }

    @Test
    void oneByteAtATimeForBigFramesToo() {
        byte[] payload = new byte[65536];
        new Random(1).nextBytes(payload);
        byte[] wire = new FrameWriter(Role.CLIENT, MaskSource.fixed(0xdeadbeef)).encode(Frame.binary(payload));
        assertThat(parse(Role.SERVER, wire, Hex.Split.ONE_BYTE)).containsExactly(Frame.binary(payload));
    }

    @Test
    void severalFramesInOneBufferLeaveTheRestUnconsumed() {
        byte[] wire = Hex.concat(bytes("81 05 48 65 6c 6c 6f"), bytes("89 00"), bytes("82 03 01"));
        FrameParser p = new FrameParser(Role.CLIENT, 1000, false);
        ByteBuffer b = ByteBuffer.wrap(wire);
        assertThat(p.parse(b)).isEqualTo(Frame.text("Hello"));
        assertThat(p.parse(b)).isEqualTo(Frame.of(OpCode.PING, new byte[0]));
        assertThat(p.parse(b)).isNull();
        assertThat(p.isMidFrame()).isTrue();
        assertThat(b.remaining()).isZero();
    }

    @Test
    void maskingInPiecesMatchesMaskingWhole() {
        byte[] payload = new byte[1000];
        new Random(7).nextBytes(payload);
        byte[] whole = new FrameWriter(Role.CLIENT, MaskSource.fixed(0xa1b2c3d4)).encode(Frame.binary(payload));
        FrameWriter w = new FrameWriter(Role.CLIENT, MaskSource.fixed(0xa1b2c3d4));
        ByteBuffer dst = ByteBuffer.allocate(whole.length);
        w.writeHeader(dst, true, false, OpCode.BINARY, payload.length);
        int off = 0;
        for (int step : new int[] {1, 3, 5, 8, 13, 100, 870}) {
            off += w.writePayload(dst, payload, off, step);
        }
        assertThat(w.payloadRemaining()).isZero();
        assertThat(dst.array()).isEqualTo(whole);
        // a direct (non-array) buffer takes the other masking path
        FrameWriter w2 = new FrameWriter(Role.CLIENT, MaskSource.fixed(0xa1b2c3d4));
        ByteBuffer direct = ByteBuffer.allocateDirect(whole.length);
        w2.writeHeader(direct, true, false, OpCode.BINARY, payload.length);
        w2.writePayload(direct, payload, 0, 3);
        w2.writePayload(direct, payload, 3, payload.length - 3);
        byte[] got = new byte[whole.length];
        direct.flip().get(got);
        assertThat(got).isEqualTo(whole);
    }

    @Test
    void writerRefusesWhatDoesNotFitAndWritesNothing() {
        FrameWriter w = new FrameWriter(Role.SERVER, null);
        ByteBuffer small = ByteBuffer.allocate(6);
        assertThatThrownBy(() -> w.writeFrame(small, Frame.text("Hello"))).isInstanceOf(BufferOverflowException.class);
        assertThat(small.position()).isZero();
        assertThatThrownBy(() -> new FrameWriter(Role.CLIENT, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void secureRandomMasksDiffer() {
        MaskSource m = MaskSource.secureRandom();
        java.util.Set<Integer> keys = new java.util.HashSet<>();
        for (int i = 0; i < 100; i++) {
            keys.add(m.nextMask());
        }
        assertThat(keys.size()).isGreaterThan(95);
    }
}
