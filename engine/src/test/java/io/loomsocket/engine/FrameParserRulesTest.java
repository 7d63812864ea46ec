package io.loomsocket.engine;

import static io.loomsocket.engine.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** One test per RFC 6455 framing rule, each fed whole, in halves and one byte at a time. */
class FrameParserRulesTest {

    static void assertFails(Role role, int maxFrame, boolean rsv1, String hex, int code, String messagePart) {
        for (Hex.Split split : Hex.Split.values()) {
            FrameParser p = new FrameParser(role, maxFrame, rsv1);
            assertThatThrownBy(() -> Hex.feed(bytes(hex), split, p::parse)).as(split.name())
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining(messagePart)
                    .satisfies(e -> assertThat(((ProtocolException) e).closeCode()).isEqualTo(code));
        }
    }

    @Test
    void rfc6455_5_1_serverRejectsUnmaskedFrame_is1002() {
        assertFails(Role.SERVER, 1000, false, "81 05 48 65 6c 6c 6f", 1002, "unmasked");
    }

    @Test
    void rfc6455_5_1_clientRejectsMaskedFrame_is1002() {
        assertFails(Role.CLIENT, 1000, false, "81 85 37 fa 21 3d 7f 9f 4d 51 58", 1002, "masked frame from a server");
    }

    @Test
    void rfc6455_5_2_rsv1WithoutExtension_is1002() {
        assertFails(Role.CLIENT, 1000, false, "c1 00", 1002, "RSV1");
    }

    @Test
    void rfc6455_5_2_rsv2AndRsv3_are1002EvenWithDeflate() {
        assertFails(Role.CLIENT, 1000, true, "a1 00", 1002, "RSV2/RSV3");
        assertFails(Role.CLIENT, 1000, true, "91 00", 1002, "RSV2/RSV3");
    }

    @Test
    void rfc7692_6_1_rsv1OnControlOrContinuation_is1002() {
        assertFails(Role.CLIENT, 1000, true, "c9 00", 1002, "RSV1 on a PING");
        assertFails(Role.CLIENT, 1000, true, "c0 00", 1002, "RSV1 on a CONTINUATION");
    }

    @Test
    void rfc7692_6_rsv1AllowedOnDataFramesWithDeflate() {
        FrameParser p = new FrameParser(Role.CLIENT, 1000, true);
        Frame f = p.parse(ByteBuffer.wrap(bytes("c1 01 00")));
        assertThat(f.rsv1()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = Hex.Split.class)
    void rfc6455_5_2_reservedOpcodes_are1002(Hex.Split split) {
        for (int op : new int[] {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
            FrameParser p = new FrameParser(Role.CLIENT, 1000, false);
            byte[] wire = {(byte) (0x80 | op), 0};
            assertThatThrownBy(() -> Hex.feed(wire, split, p::parse)).isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("reserved opcode");
        }
    }

    @Test
    void rfc6455_5_5_controlFrameOver125Bytes_is1002() {
        assertFails(Role.CLIENT, 1000, false, "89 7e 00 7e", 1002, "over 125");
        assertFails(Role.CLIENT, 1000, false, "88 7f 00 00 00 00 00 00 00 7e", 1002, "over 125");
    }

    @Test
    void rfc6455_5_5_controlFrameOf125BytesIsFine() {
        byte[] wire = Hex.concat(bytes("89 7d"), new byte[125]);
        assertThat(new FrameParser(Role.CLIENT, 1000, false).parse(ByteBuffer.wrap(wire)).length()).isEqualTo(125);
    }

    @Test
    void rfc6455_5_5_fragmentedControlFrame_is1002() {
        assertFails(Role.CLIENT, 1000, false, "09 00", 1002, "fragmented control");
        assertFails(Role.CLIENT, 1000, false, "0a 00", 1002, "fragmented control");
        assertFails(Role.CLIENT, 1000, false, "08 00", 1002, "fragmented control");
    }

    @Test
    void rfc6455_5_2_64BitLengthWithMostSignificantBitSet_is1002() {
        assertFails(Role.CLIENT, Integer.MAX_VALUE, false, "82 7f 80 00 00 00 00 00 00 01", 1002, "most significant bit");
    }

    @Test
    void rfc6455_10_4_frameOverLimitRejectedFromHeaderBeforePayload_is1009() {
        // only the header arrives: the 2 GiB payload is never buffered
        assertFails(Role.CLIENT, 1000, false, "82 7f 00 00 00 00 7f ff ff ff", 1009, "exceeds the limit");
        assertFails(Role.CLIENT, 1000, false, "82 7e 03 e9", 1009, "1001 bytes");
        FrameParser p = new FrameParser(Role.CLIENT, 1000, false);
        assertThat(p.parse(ByteBuffer.wrap(Hex.concat(bytes("82 7e 03 e8"), new byte[1000])))).isNotNull();
    }

    @Test
    void rfc6455_5_2_checksRunAsSoonAsTheirBytesArrive() {
        // the opcode is judged on the first two bytes, before any length or payload
        FrameParser p = new FrameParser(Role.CLIENT, 1000, false);
        assertThat(p.parse(ByteBuffer.wrap(bytes("83")))).isNull();
        assertThatThrownBy(() -> p.parse(ByteBuffer.wrap(bytes("00")))).isInstanceOf(ProtocolException.class);
    }
}
