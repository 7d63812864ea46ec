package io.loomsocket.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What {@link FrameParser#step} answers (RFC 6455 §5.2): a complete frame, "need more bytes", or
 * "a streamed frame's header is complete" — a kind of its own, never a frame standing in for it.
 */
class FrameParserStepTest {

    /** A server's parser whose listener streams every data frame longer than 4 bytes. */
    private static FrameParser streamingParser() {
        FrameParser p = new FrameParser(Role.SERVER, 1 << 20, false);
        p.setListener(new FrameParser.Listener() {
            @Override public boolean onHeader(int opcode, boolean fin, boolean rsv1, long length) {
                return !OpCode.isControl(opcode) && length > 4;
            }

            @Override public void onPayload(byte[] buf, int from, int to) {}
        });
        return p;
    }

    private static byte[] masked(Frame f) {
        ByteBuffer out = ByteBuffer.allocate(f.payload().length + 14);
        new FrameWriter(Role.CLIENT, MaskSource.fixed(0x0badf00d)).writeFrame(out, f);
        return Arrays.copyOf(out.array(), out.position());
    }

    @Test
    void aStreamedHeaderIsItsOwnAnswerAndItsPayloadComesInPieces() {
        FrameParser p = streamingParser();
        byte[] big = masked(Frame.binary(new byte[] {1, 2, 3, 4, 5, 6}));
        byte[] small = masked(Frame.binary(new byte[] {7, 8}));
        ByteBuffer in = ByteBuffer.allocate(big.length + small.length).put(big).put(small).flip();

        assertThat(p.step(in)).isEqualTo(FrameParser.Progress.STREAMED_HEADER);
        assertThat(p.isStreamingPayload()).isTrue();
        assertThat(p.readPiece(in, 100)).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(p.isStreamingPayload()).isFalse();

        FrameParser.Step next = p.step(in);
        assertThat(next).isInstanceOf(Frame.class);
        assertThat(((Frame) next).payload()).containsExactly(7, 8);
        assertThat(p.step(in)).isEqualTo(FrameParser.Progress.NEED_BYTES);
    }

    @Test
    void parseNeverHandsOutAStandInFrameForAStreamedHeader() {
        FrameParser p = streamingParser();
        ByteBuffer in = ByteBuffer.wrap(masked(Frame.binary(new byte[10])));
        assertThatThrownBy(() -> p.parse(in)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void parseAnswersNullWhenTheBytesRunOut() {
        byte[] wire = masked(Frame.binary(new byte[] {1, 2, 3}));
        FrameParser p = new FrameParser(Role.SERVER, 1000, false);
        assertThat(p.parse(ByteBuffer.wrap(wire, 0, wire.length - 1))).isNull();
        assertThat(p.parse(ByteBuffer.wrap(wire, wire.length - 1, 1)).payload()).containsExactly(1, 2, 3);
    }
}
