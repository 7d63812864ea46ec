package io.loomsocket.engine;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Incremental RFC 6455 §5.2 frame parser: feed it whatever bytes have arrived, it returns a
 * {@link Frame} once one is complete and {@code null} when it needs more bytes (the model of
 * Jetty's {@code Parser}). It consumes only what it uses, so bytes after a frame stay in the buffer.
 *
 * <p>It rejects, with a {@link ProtocolException} (the only exception it throws on bad input):
 * <ul>
 * <li>RSV bits not defined by a negotiated extension (§5.2): RSV1 only with permessage-deflate,
 *     and never on control or continuation frames (RFC 7692 §6.1) → 1002;</li>
 * <li>reserved opcodes %x3-7, %xB-F (§5.2) → 1002;</li>
 * <li>control frames that are fragmented or longer than 125 bytes (§5.5) → 1002;</li>
 * <li>unmasked frames at a server, masked frames at a client (§5.1) → 1002;</li>
 * <li>64-bit lengths with the most significant bit set (§5.2) → 1002;</li>
 * <li>frames longer than the configured maximum, judged from the header before any payload is
 *     buffered (§10.4) → 1009.</li>
 * </ul>
 * Each check runs as soon as the bytes it needs have arrived. A length written in a longer form than
 * needed is accepted: the minimal-encoding rule of §5.2 binds senders, and rejecting it buys nothing.
 *
 * <p>The payload is unmasked eight bytes at a time as it arrives, into a buffer that grows with the
 * bytes that arrived, never with the length the header announced: a 14-byte header announcing 1 MiB
 * reserves nothing until payload comes (as Netty's and Jetty's parsers accumulate). A frame whose
 * bytes are all at hand (the common small frame) gets one array of exactly its length; a frame
 * arriving in pieces gets a buffer of what is there (at least {@value #MIN_GROWTH} bytes), doubled
 * as needed and capped at the frame's length, so the finished frame's array is exactly its payload.
 *
 * <p>Not thread-safe: one reader thread per connection.
 */
public final class FrameParser {

    /** Hooks for {@link MessageAssembler}: message-level checks on the header, progress on the payload. */
    interface Listener {
        /**
         * The header is complete; may throw {@link ProtocolException} (sequence and size checks).
         * Returns true to receive this (data, non-empty) frame's payload in pieces through
         * {@link #readPiece} instead of buffered: then the frame size limit does not apply.
         */
        boolean onHeader(int opcode, boolean fin, boolean rsv1, long length);

        /** Payload bytes {@code buf[from..to)} of the current frame are now unmasked. */
        void onPayload(byte[] buf, int from, int to);
    }

    private static final byte[] EMPTY = new byte[0];

    /** The smallest step a partly received payload's buffer grows by. */
    static final int MIN_GROWTH = 4096;

    /**
     * What {@link #step} found: a complete {@link Frame} (the frame itself, so the common answer
     * costs no allocation), or one of the {@link Progress} answers.
     */
    sealed interface Step permits Frame, Progress {}

    /** The answers that carry no frame. */
    enum Progress implements Step {
        /** The bytes ran out before the frame was complete: call again with more. */
        NEED_BYTES,
        /**
         * A streamed frame's header is complete (the listener asked for it in
         * {@link Listener#onHeader}): read its payload with {@link #readPiece}.
         */
        STREAMED_HEADER
    }

    private final Role role;
    private final int maxFrameSize;
    private final boolean rsv1Allowed;
    private Listener listener;

    private final byte[] header = new byte[14];
    private int headerFilled;
    private int headerNeeded = 2;

    // decoded header of the frame in progress
    private boolean inPayload;
    private boolean fin;
    private boolean rsv1;
    private int opcode;
    private boolean masked;
    private int maskKey;
    private byte[] payload;
    private int payloadLength;
    private int payloadFilled;
    private boolean streamed;
    private long streamLength;
    private long streamFilled;

    /**
     * @param role         which end this parser reads for (decides the masking rule)
     * @param maxFrameSize largest payload accepted (bigger → 1009)
     * @param rsv1Allowed  true when permessage-deflate was negotiated (RFC 7692 §6)
     */
    public FrameParser(Role role, int maxFrameSize, boolean rsv1Allowed) {
        if (role == null) {
            throw new NullPointerException("role");
        }
        if (maxFrameSize < 0) {
            throw new IllegalArgumentException("maxFrameSize < 0");
        }
        this.role = role;
        this.maxFrameSize = maxFrameSize;
        this.rsv1Allowed = rsv1Allowed;
    }

    void setListener(Listener listener) {
        this.listener = listener;
    }

    /**
     * Consumes bytes from {@code in} (from its position, which advances) and returns the next
     * complete frame, or {@code null} if {@code in} ran out first (call again with more bytes).
     *
     * @throws ProtocolException if the bytes break RFC 6455 or the size limit
     */
    public Frame parse(ByteBuffer in) {
        return switch (step(in)) {
            case Frame f -> f;
            case Progress.NEED_BYTES -> null;
            // only a listener asks for streamed frames, and the one that does reads them with step()
            case Progress.STREAMED_HEADER -> throw new IllegalStateException("a streamed frame's payload is read with readPiece");
        };
    }

    /**
     * As {@link #parse}, for {@link MessageAssembler}: also says when a streamed frame's header is
     * complete.
     *
     * @throws ProtocolException if the bytes break RFC 6455 or the size limit
     */
    Step step(ByteBuffer in) {
        while (!inPayload) {
            int n = Math.min(in.remaining(), headerNeeded - headerFilled);
            if (n == 0) {
                return Progress.NEED_BYTES;
            }
            in.get(header, headerFilled, n);
            int before = headerFilled;
            headerFilled += n;
            if (before < 2 && headerFilled >= 2) {
                checkFirstTwoBytes();
            }
            if (headerFilled == headerNeeded) {
                if (decodeHeader()) {
                    return finishFrame();
                }
            }
        }
        if (streamed) {
            return Progress.STREAMED_HEADER;
        }
        int n = Math.min(in.remaining(), payloadLength - payloadFilled);
        if (n > 0) {
            if (n > payload.length - payloadFilled) {
                growPayload(n);
            }
            int from = payloadFilled;
            if (masked && in.hasArray()) {
                // unmask while copying: one pass over the payload instead of copy + XOR in place
                Masking.maskCopy(in.array(), in.arrayOffset() + in.position(), payload, from, n, maskKey, from);
                in.position(in.position() + n);
                payloadFilled += n;
            } else {
                in.get(payload, from, n);
                payloadFilled += n;
                if (masked) {
                    Masking.mask(payload, from, payloadFilled, maskKey, from);
                }
            }
            if (listener != null) {
                listener.onPayload(payload, from, payloadFilled);
            }
        }
        return payloadFilled == payloadLength ? finishFrame() : Progress.NEED_BYTES;
    }

    /**
     * Makes room for {@code n} more payload bytes that have arrived: at least doubles the buffer
     * (and at least {@link #MIN_GROWTH}), never past the frame's length.
     */
    private void growPayload(int n) {
        long want = Math.max(Math.max((long) payload.length * 2, MIN_GROWTH), (long) payloadFilled + n);
        int capacity = (int) Math.min(payloadLength, want);
        payload = payloadFilled == 0 ? new byte[capacity] : Arrays.copyOf(payload, capacity);
    }

    /** True while a streamed frame's payload is being read with {@link #readPiece}. */
    boolean isStreamingPayload() {
        return streamed;
    }

    /** FIN bit of the frame in progress. */
    boolean currentFin() {
        return fin;
    }

    /**
     * The next unmasked piece of a streamed frame's payload, at most {@code max} bytes, or null when
     * {@code in} is empty. After the last piece {@link #isStreamingPayload()} turns false.
     */
    byte[] readPiece(ByteBuffer in, int max) {
        int n = (int) Math.min(Math.min(in.remaining(), max), streamLength - streamFilled);
        if (n <= 0) {
            return null;
        }
        byte[] piece = new byte[n];
        in.get(piece);
        if (masked) {
            Masking.mask(piece, 0, n, maskKey, streamFilled);
        }
        streamFilled += n;
        if (streamFilled == streamLength) {
            streamed = false;
            inPayload = false;
            headerFilled = 0;
            headerNeeded = 2;
        }
        listener.onPayload(piece, 0, n);
        return piece;
    }

    /** True while a frame is partly received (a peer that closes now truncated a frame). */
    public boolean isMidFrame() {
        return inPayload || headerFilled > 0;
    }

    private void checkFirstTwoBytes() {
        int b0 = header[0] & 0xFF;
        int b1 = header[1] & 0xFF;
        fin = (b0 & 0x80) != 0;
        rsv1 = (b0 & 0x40) != 0;
        opcode = b0 & 0x0F;
        masked = (b1 & 0x80) != 0;
        int len7 = b1 & 0x7F;
        if ((b0 & 0x30) != 0) {
            throw ProtocolException.protocol("RSV2/RSV3 set without an extension defining them (RFC 6455 §5.2)");
        }
        if (!OpCode.isKnown(opcode)) {
            throw ProtocolException.protocol("reserved opcode 0x" + Integer.toHexString(opcode) + " (RFC 6455 §5.2)");
        }
        if (rsv1) {
            if (!rsv1Allowed) {
                throw ProtocolException.protocol("RSV1 set without a negotiated extension (RFC 6455 §5.2)");
            }
            if (opcode == OpCode.CONTINUATION || OpCode.isControl(opcode)) {
                throw ProtocolException.protocol("RSV1 on a " + OpCode.name(opcode) + " frame (RFC 7692 §6.1)");
            }
        }
        if (OpCode.isControl(opcode)) {
            if (!fin) {
                throw ProtocolException.protocol("fragmented control frame (RFC 6455 §5.5)");
            }
            if (len7 > 125) {
                throw ProtocolException.protocol("control frame payload over 125 bytes (RFC 6455 §5.5)");
            }
        }
        if (role.expectsMaskedIncoming() && !masked) {
            throw ProtocolException.protocol("unmasked frame from a client (RFC 6455 §5.1)");
        }
        if (!role.expectsMaskedIncoming() && masked) {
            throw ProtocolException.protocol("masked frame from a server (RFC 6455 §5.1)");
        }
        headerNeeded = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
    }

    /** Decodes length and key; returns true if the frame has no payload. */
    private boolean decodeHeader() {
        int len7 = header[1] & 0x7F;
        int p = 2;
        long length;
        if (len7 == 126) {
            length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            p = 4;
        } else if (len7 == 127) {
            length = 0;
            for (int i = 2; i < 10; i++) {
                length = (length << 8) | (header[i] & 0xFF);
            }
            if (length < 0) {
                throw ProtocolException.protocol("64-bit payload length with the most significant bit set (RFC 6455 §5.2)");
            }
            p = 10;
        } else {
            length = len7;
        }
        if (masked) {
            maskKey = ((header[p] & 0xFF) << 24) | ((header[p + 1] & 0xFF) << 16)
                    | ((header[p + 2] & 0xFF) << 8) | (header[p + 3] & 0xFF);
        }
        boolean stream = listener != null && listener.onHeader(opcode, fin, rsv1, length) && length > 0;
        if (stream) {
            streamed = true;
            streamLength = length;
            streamFilled = 0;
            inPayload = true;
            return false;
        }
        if (length > maxFrameSize) {
            throw new ProtocolException(CloseCode.MESSAGE_TOO_BIG,
                    "frame of " + length + " bytes exceeds the limit of " + maxFrameSize + " (RFC 6455 §10.4)");
        }
        payload = EMPTY; // allocated as the payload arrives (growPayload)
        payloadLength = (int) length;
        payloadFilled = 0;
        inPayload = true;
        return length == 0;
    }

    private Frame finishFrame() {
        Frame f = new Frame(fin, rsv1, false, false, opcode, payload);
        payload = null;
        inPayload = false;
        headerFilled = 0;
        headerNeeded = 2;
        return f;
    }
}
