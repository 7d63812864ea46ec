package io.loomsocket.engine;

import static io.loomsocket.engine.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Outbound rules: framing, fragmentation, control frames between frames, close validation, nothing after close. */
class MessageEncoderTest {

    static byte[] written(ByteBuffer b) {
        return Arrays.copyOf(b.array(), b.position());
    }

    @Test
    void rfc6455_5_7_serverTextAndClientMaskedText() {
        MessageEncoder s = new MessageEncoder(Role.SERVER, null, null);
        ByteBuffer b = ByteBuffer.allocate(100);
        s.startText("Hello");
        assertThat(s.encode(b)).isTrue();
        assertThat(written(b)).isEqualTo(bytes("81 05 48 65 6c 6c 6f"));
        MessageEncoder c = new MessageEncoder(Role.CLIENT, null, MaskSource.fixed(FrameCodecTest.RFC_MASK));
        ByteBuffer cb = ByteBuffer.allocate(100);
        c.startText("Hello");
        c.encode(cb);
        assertThat(written(cb)).isEqualTo(bytes("81 85 37 fa 21 3d 7f 9f 4d 51 58"));
    }

    @Test
    void rfc6455_5_4_fragmentedSendingThenAssembled() {
        MessageEncoder s = new MessageEncoder(Role.CLIENT, null, MaskSource.fixed(7));
        ByteBuffer b = ByteBuffer.allocate(200);
        byte[] euro = "a€b".getBytes(StandardCharsets.UTF_8);
        s.startFragment(true, euro, 0, 2, false); // splits the euro sign
        s.encode(b);
        assertThat(s.isFragmenting()).isTrue();
        s.encodePing(b, bytes("01")); // control frames between fragments (§5.4)
        s.startFragment(true, euro, 2, 3, true);
        s.encode(b);
        assertThat(s.isFragmenting()).isFalse();
        MessageAssembler a = new MessageAssembler(Role.SERVER, EngineConfig.defaults(), null);
        ByteBuffer in = ByteBuffer.wrap(written(b));
        assertThat(a.next(in)).isEqualTo(new Event.Ping(bytes("01")));
        assertThat(a.next(in)).isEqualTo(new Event.Text("a€b"));
        byte[] w = written(b);
        assertThat(w[0] & 0xFF).isEqualTo(0x01); // TEXT, not fin
    }

    @Test
    void rfc6455_8_1_invalidTextIsRefused() {
        MessageEncoder s = new MessageEncoder(Role.SERVER, null, null);
        assertThatThrownBy(() -> s.startText(bytes("c0af"), 0, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.startFragment(true, bytes("e282"), 0, 2, true)).isInstanceOf(IllegalArgumentException.class);
        assertThat(s.hasPending()).isFalse();
    }

    @Test
    void largeMessageGoesThroughASmallBufferAndControlFramesWaitForTheFrameBoundary() {
        MessageEncoder s = new MessageEncoder(Role.SERVER, null, null);
        byte[] data = new byte[70000];
        s.startBinary(data, 0, data.length);
        ByteBuffer b = ByteBuffer.allocate(4096);
        assertThat(s.atFrameBoundary()).isTrue();
        assertThat(s.encode(b)).isFalse();
        assertThat(s.atFrameBoundary()).isFalse();
        assertThatThrownBy(() -> s.encodePing(ByteBuffer.allocate(200), new byte[0])).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> s.startText("x")).isInstanceOf(IllegalStateException.class);
        int total = b.position();
        while (true) {
            b.clear();
            boolean done = s.encode(b);
            total += b.position();
            if (done) {
                break;
            }
        }
        assertThat(total).isEqualTo(10 + 70000);
        assertThat(s.pendingPayload()).isZero();
        assertThat(s.encode(b)).isTrue();
    }

    @Test
    void headerIsNeverSplit() {
        MessageEncoder s = new MessageEncoder(Role.CLIENT, null, MaskSource.fixed(1));
        s.startBinary(new byte[300], 0, 300);
        ByteBuffer tiny = ByteBuffer.allocate(7); // the header needs 8
        assertThat(s.encode(tiny)).isFalse();
        assertThat(tiny.position()).isZero();
        assertThat(s.atFrameBoundary()).isTrue();
    }

    @Test
    void rfc6455_5_5_1_closeFramesAreValidated() {
        assertThat(MessageEncoder.closePayload(1000, "bye")).isEqualTo(bytes("03e8 627965"));
        assertThat(MessageEncoder.closePayload(1005, "")).isEmpty();
        assertThat(MessageEncoder.closePayload(4000, null)).isEqualTo(bytes("0fa0"));
        for (int bad : new int[] {999, 1004, 1006, 1015, 1016, 2999, 5000}) {
            assertThatThrownBy(() -> MessageEncoder.closePayload(bad, "")).as("" + bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(MessageEncoder.closePayload(1000, "é".repeat(61) + "x")).hasSize(125);
        assertThatThrownBy(() -> MessageEncoder.closePayload(1000, "é".repeat(62))).hasMessageContaining("123");
        assertThatThrownBy(() -> MessageEncoder.closePayload(1005, "why")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rfc6455_5_5_1_nothingIsSentAfterClose() {
        MessageEncoder s = new MessageEncoder(Role.SERVER, null, null);
        ByteBuffer b = ByteBuffer.allocate(200);
        s.encodeClose(b, 1001, "going");
        assertThat(written(b)).isEqualTo(Hex.concat(bytes("88 07 03 e9"), "going".getBytes(StandardCharsets.US_ASCII)));
        assertThat(s.isCloseSent()).isTrue();
        assertThatThrownBy(() -> s.startText("x")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> s.encodePong(b, new byte[0])).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> s.encodeClose(b, 1000, "")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rfc6455_5_5_controlPayloadOver125IsRefused() {
        MessageEncoder s = new MessageEncoder(Role.SERVER, null, null);
        assertThatThrownBy(() -> s.encodePing(ByteBuffer.allocate(300), new byte[126])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.encodePing(ByteBuffer.allocate(10), new byte[20])).isInstanceOf(BufferOverflowException.class);
        ByteBuffer b = ByteBuffer.allocate(MessageEncoder.MAX_CONTROL_FRAME_SIZE);
        new MessageEncoder(Role.CLIENT, null, MaskSource.fixed(3)).encodePing(b, new byte[125]);
        assertThat(b.remaining()).isZero();
    }

    @Test
    void everyEncodedMessageParsesBack() {
        for (Role role : Role.values()) {
            MessageEncoder enc = new MessageEncoder(role, null, MaskSource.secureRandom());
            Role other = role == Role.CLIENT ? Role.SERVER : Role.CLIENT;
            MessageAssembler a = new MessageAssembler(other, EngineConfig.defaults(), null);
            for (String t : List.of("", "x", "ünïcødé 😀", "y".repeat(125), "z".repeat(126), "w".repeat(65536))) {
                ByteBuffer b = ByteBuffer.allocate(70000);
                enc.startText(t);
                enc.encode(b);
                b.flip();
                assertThat(a.next(b)).isEqualTo(new Event.Text(t));
            }
        }
    }
    @Test
    void directPayloadWriteGivesTheSameBytesAsEncodingThroughABuffer() {
        byte[] payload = new byte[70_000]; // 64-bit length header (RFC 6455 §5.2)
        for (int i = 0; i < payload.length; i++) payload[i] = (byte) (i * 31);
        MessageEncoder viaBuffer = new MessageEncoder(Role.SERVER, null, null);
        ByteBuffer whole = ByteBuffer.allocate(80_000);
        viaBuffer.startBinary(payload, 5, 69_000);
        assertThat(viaBuffer.encode(whole)).isTrue();

        MessageEncoder direct = new MessageEncoder(Role.SERVER, null, null);
        direct.startBinary(payload, 5, 69_000);
        assertThat(direct.canWriteDirectly()).isTrue();
        assertThatThrownBy(() -> direct.directWritten(1)).isInstanceOf(IllegalStateException.class); // header first
        ByteBuffer small = ByteBuffer.allocate(1024);
        assertThat(direct.encode(small)).isFalse();
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        wire.write(small.array(), 0, small.position());
        int rest = direct.pendingPayload();
        assertThat(rest).isEqualTo(69_000 - (1024 - 10));
        assertThatThrownBy(() -> direct.directWritten(rest + 1)).isInstanceOf(IllegalArgumentException.class);
        wire.write(direct.directArray(), direct.directOffset(), rest);
        direct.directWritten(rest);
        assertThat(direct.hasPending()).isFalse();
        assertThat(wire.toByteArray()).isEqualTo(written(whole));
        // the next frame starts cleanly: nothing is owed
        small.clear();
        direct.startBinary(payload, 0, 3);
        assertThat(direct.encode(small)).isTrue();
        assertThat(written(small)).isEqualTo(new byte[] {(byte) 0x82, 3, 0, 31, 62});
    }

    @Test
    void aMaskingClientCannotWriteDirectly() {
        MessageEncoder c = new MessageEncoder(Role.CLIENT, null, MaskSource.fixed(7));
        c.startBinary(new byte[2000], 0, 2000);
        assertThat(c.canWriteDirectly()).isFalse();
        c.encode(ByteBuffer.allocate(100));
        assertThatThrownBy(() -> c.directWritten(10)).isInstanceOf(IllegalStateException.class);
    }
}
