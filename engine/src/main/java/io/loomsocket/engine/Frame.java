package io.loomsocket.engine;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One WebSocket frame as RFC 6455 §5.2 defines it, without its wire details: the FIN and RSV
 * bits, the opcode and the (unmasked) payload. Masking and the length encoding exist only on the
 * wire ({@link FrameParser}, {@link FrameWriter}).
 *
 * <p>Immutable by contract: the payload array is not copied, so neither the creator nor a reader
 * may change it after construction.
 *
 * @param fin     final fragment of a message (§5.4)
 * @param rsv1    RSV1, the "per-message compressed" bit of permessage-deflate (RFC 7692 §6)
 * @param rsv2    RSV2, no extension here defines it
 * @param rsv3    RSV3, no extension here defines it
 * @param opcode  one of {@link OpCode}
 * @param payload the application (or extension) data, unmasked; never null
 */
public record Frame(boolean fin, boolean rsv1, boolean rsv2, boolean rsv3, int opcode, byte[] payload)
        implements FrameParser.Step {

    private static final byte[] EMPTY = new byte[0];

    public Frame {
        if (opcode < 0 || opcode > 0xF) {
            throw new IllegalArgumentException("opcode out of range: " + opcode);
        }
        if (payload == null) {
            payload = EMPTY;
        }
    }

    /** A final, uncompressed frame. */
    public static Frame of(int opcode, byte[] payload) {
        return new Frame(true, false, false, false, opcode, payload);
    }

    /** A final text frame with the UTF-8 encoding of {@code text}. */
    public static Frame text(String text) {
        return of(OpCode.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A final binary frame. */
    public static Frame binary(byte[] data) {
        return of(OpCode.BINARY, data);
    }

    /** Payload length in bytes. */
    public int length() {
        return payload.length;
    }

    /** True for close, ping and pong. */
    public boolean isControl() {
        return OpCode.isControl(opcode);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && fin == f.fin && rsv1 == f.rsv1 && rsv2 == f.rsv2 && rsv3 == f.rsv3
                && opcode == f.opcode && Arrays.equals(payload, f.payload);
    }

    @Override
    public int hashCode() {
        return ((opcode * 31 + (fin ? 1 : 0)) * 31 + (rsv1 ? 2 : 0) + (rsv2 ? 4 : 0) + (rsv3 ? 8 : 0)) * 31
                + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Frame[" + OpCode.name(opcode) + (fin ? " fin" : "") + (rsv1 ? " rsv1" : "") + (rsv2 ? " rsv2" : "")
                + (rsv3 ? " rsv3" : "") + ", " + payload.length + " bytes]";
    }
}
