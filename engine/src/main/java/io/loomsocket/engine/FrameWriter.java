package io.loomsocket.engine;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;

/**
 * Writes RFC 6455 §5.2 frames into a caller-provided {@link ByteBuffer}, so the connection can
 * coalesce several frames in its own write buffer without extra copies. Lengths use the shortest
 * form (7, 16 or 64 bits, §5.2); a client masks every frame with a fresh key from its
 * {@link MaskSource} (§5.3), a server never masks.
 *
 * <p>A frame may be written in one call ({@link #writeFrame}) or in pieces: {@link #writeHeader}
 * once, then {@link #writePayload} as buffer space allows, until {@link #payloadRemaining()} is 0.
 * Masking continues across pieces.
 *
 * <p>Not thread-safe: the connection writes under its own lock.
 */
public final class FrameWriter {

    /** Largest header: 2 bytes, 8 bytes of 64-bit length, 4 bytes of masking key. */
    public static final int MAX_HEADER_SIZE = 14;

    private final Role role;
    private final MaskSource masks;
    private long remaining;
    private long written;
    private int key;

    /**
     * @param role  decides masking
     * @param masks key source; required for {@link Role#CLIENT}, ignored (may be null) for a server
     */
    public FrameWriter(Role role, MaskSource masks) {
        if (role == null) {
            throw new NullPointerException("role");
        }
        if (role.masksOutgoing() && masks == null) {
            throw new NullPointerException("a client needs a MaskSource");
        }
        this.role = role;
        this.masks = masks;
    }

    /** Header length for a payload of {@code length} bytes: 2, 4 or 10, plus 4 when masked. */
    public static int headerSize(long length, boolean masked) {
        return (length <= 125 ? 2 : length <= 0xFFFF ? 4 : 10) + (masked ? 4 : 0);
    }

    /** Header length for a frame this writer's role would send. */
    public int headerSize(long length) {
        return headerSize(length, role.masksOutgoing());
    }

    /** Bytes still owed for the frame whose header was written last. */
    public long payloadRemaining() {
        return remaining;
    }

    /**
     * Writes a frame header and starts the frame; its payload must follow through
     * {@link #writePayload} before the next header.
     *
     * @throws BufferOverflowException if {@code dst} has less than {@link #headerSize(long)} bytes left (nothing written)
     * @throws IllegalStateException   if the previous frame's payload is incomplete
     */
    public void writeHeader(ByteBuffer dst, boolean fin, boolean rsv1, int opcode, long length) {
        if (remaining != 0) {
            throw new IllegalStateException(remaining + " payload bytes of the previous frame are still owed");
        }
        if (opcode < 0 || opcode > 0xF || length < 0) {
            throw new IllegalArgumentException("opcode " + opcode + ", length " + length);
        }
        boolean masked = role.masksOutgoing();
        if (dst.remaining() < headerSize(length, masked)) {
            throw new BufferOverflowException();
        }
        dst.put((byte) ((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode));
        int maskBit = masked ? 0x80 : 0;
        if (length <= 125) {
            dst.put((byte) (maskBit | (int) length));
        } else if (length <= 0xFFFF) {
            dst.put((byte) (maskBit | 126));
            dst.put((byte) (length >>> 8));
            dst.put((byte) length);
        } else {
            dst.put((byte) (maskBit | 127));
            for (int shift = 56; shift >= 0; shift -= 8) {
                dst.put((byte) (length >>> shift));
            }
        }
        if (masked) {
            key = masks.nextMask();
            dst.put((byte) (key >>> 24));
            dst.put((byte) (key >>> 16));
            dst.put((byte) (key >>> 8));
            dst.put((byte) key);
        }
        remaining = length;
        written = 0;
    }

    /**
     * Writes (masking if needed) up to {@code len} payload bytes of the current frame, as many as
     * fit in {@code dst} and the frame still owes. Returns how many were written.
     */
    public int writePayload(ByteBuffer dst, byte[] src, int off, int len) {
        int n = (int) Math.min(Math.min(len, dst.remaining()), remaining);
        if (n <= 0) {
            return 0;
        }
        if (role.masksOutgoing()) {
            Masking.maskInto(src, off, dst, n, key, written);
        } else {
            dst.put(src, off, n);
        }
        remaining -= n;
        written += n;
        return n;
    }

    /**
     * Records that the caller wrote {@code n} payload bytes of the current frame to the transport
     * itself, verbatim (no copy into a buffer). Only an endpoint that does not mask may do so:
     * a masked payload must go through {@link #writePayload} (RFC 6455 §5.3).
     *
     * @throws IllegalStateException    if this endpoint masks
     * @throws IllegalArgumentException if {@code n} is negative or more than the frame still owes
     */
    public void payloadWrittenDirectly(int n) {
        if (role.masksOutgoing()) {
            throw new IllegalStateException("a masked payload cannot be written verbatim (RFC 6455 §5.3)");
        }
        if (n < 0 || n > remaining) {
            throw new IllegalArgumentException(n + " bytes written directly, but the frame owes " + remaining);
        }
        remaining -= n;
        written += n;
    }

    /** True if this endpoint masks what it sends (a client, RFC 6455 §5.3). */
    public boolean masks() {
        return role.masksOutgoing();
    }

    /**
     * Writes a whole frame with payload {@code src[off..off+len)}.
     *
     * @throws BufferOverflowException if it does not fit (nothing written)
     */
    public void writeFrame(ByteBuffer dst, boolean fin, boolean rsv1, int opcode, byte[] src, int off, int len) {
        if (dst.remaining() < headerSize(len) + len) {
            throw new BufferOverflowException();
        }
        writeHeader(dst, fin, rsv1, opcode, len);
        writePayload(dst, src, off, len);
    }

    /** Writes a whole frame. @throws BufferOverflowException if it does not fit (nothing written) */
    public void writeFrame(ByteBuffer dst, Frame frame) {
        if (frame.rsv2() || frame.rsv3()) {
            throw new IllegalArgumentException("RSV2/RSV3 are not defined by any extension here");
        }
        writeFrame(dst, frame.fin(), frame.rsv1(), frame.opcode(), frame.payload(), 0, frame.length());
    }

    /** The wire bytes of one frame, in a new array. */
    public byte[] encode(Frame frame) {
        ByteBuffer b = ByteBuffer.allocate(headerSize(frame.length()) + frame.length());
        writeFrame(b, frame);
        return b.array();
    }
}
