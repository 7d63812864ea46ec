package io.loomsocket.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The payload buffer grows with the bytes that arrived, not with the length a header announces
 * (RFC 6455 §10.4 asks for limits on what a peer can make us hold). Observed through the
 * buffer the parser hands its listener with each arriving piece.
 */
class FrameParserBufferTest {
    private static final int MIB = 1 << 20;

    /** A parser for a server that records the capacity of the payload buffer at each piece. */
    private static FrameParser parser(List<Integer> capacities) {
        FrameParser p = new FrameParser(Role.SERVER, MIB, false);
        p.setListener(new FrameParser.Listener() {
            @Override public boolean onHeader(int opcode, boolean fin, boolean rsv1, long length) {
                return false;
            }

            @Override public void onPayload(byte[] buf, int from, int to) {
                capacities.add(buf.length);
            }
        });
        return p;
    }

    private static byte[] maskedFrame(byte[] payload) {
        ByteBuffer out = ByteBuffer.allocate(payload.length + 14);
        new FrameWriter(Role.CLIENT, MaskSource.fixed(0x0badf00d)).writeFrame(out, Frame.binary(payload));
        return Arrays.copyOf(out.array(), out.position());
    }

    @Test
    void aHeaderAnnouncingOneMebibyteReservesOnlyWhatArrived() {
        List<Integer> capacities = new ArrayList<>();
        FrameParser p = parser(capacities);
        byte[] wire = maskedFrame(new byte[MIB]);
        assertThat(p.parse(ByteBuffer.wrap(wire, 0, 14))).isNull(); // the 14-byte header alone
        assertThat(p.parse(ByteBuffer.wrap(wire, 14, 10))).isNull(); // then 10 payload bytes
        assertThat(capacities).containsExactly(FrameParser.MIN_GROWTH);
    }

    @Test
    void aPayloadArrivingInPiecesIsAssembledExactlyWithDoublingGrowth() {
        byte[] payload = new byte[MIB];
        new Random(12).nextBytes(payload);
        byte[] wire = maskedFrame(payload);
        List<Integer> capacities = new ArrayList<>();
        FrameParser p = parser(capacities);
        Random sizes = new Random(3);
        Frame f = null;
        for (int pos = 0; f == null; ) {
            int n = Math.min(wire.length - pos, 1 + sizes.nextInt(3000));
            f = p.parse(ByteBuffer.wrap(wire, pos, n));
            pos += n;
        }
        assertThat(f.payload()).isEqualTo(payload);
        List<Integer> distinct = capacities.stream().distinct().toList();
        assertThat(distinct.get(distinct.size() - 1)).isEqualTo(MIB);
        assertThat(distinct.size()).as("grown by doubling: %s", distinct).isLessThanOrEqualTo(10);
    }

    @Test
    void aFrameThatArrivedWholeGetsOneArrayOfItsLength() {
        List<Integer> capacities = new ArrayList<>();
        FrameParser p = parser(capacities);
        byte[] payload = new byte[64];
        Frame f = p.parse(ByteBuffer.wrap(maskedFrame(payload)));
        assertThat(f.payload()).hasSize(64);
        assertThat(capacities).containsExactly(64);
    }
}
