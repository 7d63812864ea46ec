package io.loomsocket.interop.conformance;

import static io.loomsocket.testing.raw.RawFrame.BINARY;
import static io.loomsocket.testing.raw.RawFrame.PING;
import static io.loomsocket.testing.raw.RawFrame.PONG;
import static io.loomsocket.testing.raw.RawFrame.TEST_MASK;
import static io.loomsocket.testing.raw.RawFrame.TEXT;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.testing.raw.RawClient;
import io.loomsocket.testing.raw.RawFrame;
import io.loomsocket.testing.IntegrationTest;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6455 §5.1–§5.3 and §5.5: base framing, masking, reserved bits and opcodes, over real sockets. */
@IntegrationTest
class FramingConformanceTest extends ConformanceBase {

    /**
     * §5.2 payload length: 7-bit up to 125, 16-bit for 126..65535, 64-bit above; the echo must use
     * the minimal form ("the minimal number of bytes MUST be used"), checked byte for byte.
     */
    @ParameterizedTest(name = "§5.2 text and binary of {0} bytes, echoed with the minimal length form")
    @ValueSource(ints = {0, 1, 125, 126, 127, 128, 1000, 65535, 65536, 65537, 200_000})
    void lengthBoundaries(int n) throws IOException {
        try (RawClient c = echo()) {
            for (int opcode : new int[] {TEXT, BINARY}) {
                byte[] payload = opcode == TEXT ? utf8(ascii(n)) : pattern(n);
                c.send(RawFrame.client(true, opcode, payload));
                byte[] header = c.input().readNBytes(n <= 125 ? 2 : n <= 65535 ? 4 : 10);
                byte[] expected = Arrays.copyOf(RawFrame.server(true, opcode, payload), header.length);
                assertThat(header).as("echo header for %d bytes", n).isEqualTo(expected);
                byte[] body = c.input().readNBytes(n);
                assertThat(body).isEqualTo(payload);
            }
            c.closeNormally();
        }
    }

    /** §5.2, §5.3: a frame may arrive in pieces; split the whole frame at every byte position. */
    @Test
    @DisplayName("§5.2 a masked frame split at every position is reassembled")
    void splitAtEveryPosition() throws IOException {
        for (int size : new int[] {20, 126, 300}) {
            byte[] payload = utf8("✓" + ascii(size - 3));
            byte[] frame = RawFrame.client(true, TEXT, payload);
            try (RawClient c = echo()) {
                for (int at = 1; at < frame.length; at++) {
                    c.sendSplit(frame, at);
                    expectFrame(c, true, TEXT, payload);
                }
                c.closeNormally();
            }
        }
    }

    @Test
    @DisplayName("§5.2 a 64-bit-length frame split at every header position is reassembled")
    void splitInsideExtendedLength() throws IOException {
        byte[] payload = pattern(65536);
        byte[] frame = RawFrame.client(true, BINARY, payload);
        try (RawClient c = echo()) {
            for (int at = 1; at <= 14; at++) {
                c.sendSplit(frame, at);
                expectFrame(c, true, BINARY, payload);
            }
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§5.2 frames sent one byte per TCP segment")
    void bytewise() throws IOException {
        try (RawClient c = echo()) {
            byte[] payload = utf8("byte by byte: h\u00e9llo \u65e5\u672c \ud83c\udf89 " + ascii(130));
            c.sendBytewise(RawFrame.concat(RawFrame.client(true, TEXT, payload), RawFrame.client(true, PING, utf8("p"))));
            // the pong comes from the connection, the echo from the view: either may be first (§5.5.2)
            java.util.Set<RawFrame> got = java.util.Set.of(c.nextFromServer(), c.nextFromServer());
            assertThat(got).containsExactlyInAnyOrder(new RawFrame(true, 0, TEXT, false, payload),
                new RawFrame(true, 0, PONG, false, utf8("p")));
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§5.2 many frames in one TCP segment are all answered in order")
    void pipelined() throws IOException {
        try (RawClient c = echo()) {
            byte[][] frames = new byte[50][];
            for (int i = 0; i < frames.length; i++) frames[i] = RawFrame.clientText("message " + i);
            c.send(RawFrame.concat(frames));
            for (int i = 0; i < frames.length; i++) expectFrame(c, true, TEXT, utf8("message " + i));
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§5.3 every masking key works, including all-zero")
    void maskingKeys() throws IOException {
        try (RawClient c = echo()) {
            byte[] payload = utf8("mask me");
            for (byte[] key : new byte[][] {{0, 0, 0, 0}, {-1, -1, -1, -1}, {1, 2, 3, 4}, TEST_MASK}) {
                c.send(RawFrame.encode(true, 0, TEXT, payload, key));
                expectFrame(c, true, TEXT, payload);
            }
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§5.1 an unmasked client frame fails the connection with 1002")
    void unmaskedClientFrame() throws IOException {
        expectFailure(RawFrame.encode(true, 0, TEXT, utf8("no mask"), null), 1002);
    }

    @ParameterizedTest(name = "§5.2 RSV bits {0} without a negotiated extension: 1002")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7})
    void reservedBits(int rsv) throws IOException {
        expectFailure(RawFrame.encode(true, rsv, TEXT, utf8("rsv"), TEST_MASK), 1002);
    }

    @Test
    @DisplayName("§5.2 RSV bits on a ping without an extension: 1002")
    void reservedBitsOnControl() throws IOException {
        expectFailure(RawFrame.encode(true, 4, PING, utf8("rsv"), TEST_MASK), 1002);
    }

    @ParameterizedTest(name = "§5.2 reserved opcode 0x{0}: 1002")
    @ValueSource(ints = {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
    void reservedOpcodes(int opcode) throws IOException {
        expectFailure(RawFrame.client(true, opcode, utf8("reserved")), 1002);
    }

    @ParameterizedTest(name = "§5.2 reserved opcode 0x{0} after a good message: echo, then 1002")
    @ValueSource(ints = {3, 0xB})
    void reservedOpcodeAfterData(int opcode) throws IOException {
        try (RawClient c = echo()) {
            c.echoText("first");
            c.send(RawFrame.client(true, opcode, new byte[0]));
            c.expectClose(1002);
        }
    }

    @Test
    @DisplayName("§5.2 a 64-bit length with the most significant bit set: 1002")
    void lengthMostSignificantBit() throws IOException {
        byte[] header = bytes(0x82, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4);
        // §5.2 "the most significant bit MUST be 0": a protocol error (python-websockets says 1009)
        expectFailure(header, target.isLoomsocket() ? 1002 : 1009);
    }

    @Test
    @DisplayName("§5.5 a control frame with a 126-byte payload: 1002")
    void controlFrameTooLong() throws IOException {
        expectFailure(RawFrame.client(true, PING, pattern(126)), 1002);
    }

    @Test
    @DisplayName("§5.5.2 a ping with the largest control payload (125 bytes) gets a pong with the same payload")
    void controlFrameMaxLength() throws IOException {
        try (RawClient c = echo()) {
            byte[] payload = pattern(125);
            c.send(RawFrame.client(true, PING, payload));
            expectFrame(c, true, PONG, payload);
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§5.6 binary data is not UTF-8 checked and comes back as binary")
    void binaryIsNotText() throws IOException {
        try (RawClient c = echo()) {
            byte[] invalidUtf8 = bytes(0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80);
            c.send(RawFrame.client(true, BINARY, invalidUtf8));
            expectFrame(c, true, BINARY, invalidUtf8);
            c.closeNormally();
        }
    }
}
