package io.loomsocket.engine;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The outbound half of the protocol: messages in, frame bytes out, written into the connection's
 * own buffer ({@link FrameWriter}). A data message is started with one of the {@code start...}
 * methods and then written with {@link #encode(ByteBuffer)} as buffer space allows, so a large
 * message goes out through a small buffer without being copied whole. Control frames are written
 * whole and may be put between data frames (RFC 6455 §5.4), never inside one: check
 * {@link #atFrameBoundary()}.
 *
 * <p>Compression (RFC 7692): when permessage-deflate was negotiated, whole messages of at least
 * {@link DeflateConfig#threshold()} bytes are compressed (RSV1 set); shorter ones go as they are,
 * and so do large messages that deflate would not shrink when no context is kept
 * ({@link PerMessageDeflate#compressMessage}).
 * A fragmented message ({@link #startFragment}) is compressed when deflate is negotiated, each
 * fragment flushed so it can leave at once, RSV1 on its first frame only (RFC 7692 §6.1).
 *
 * <p>Rules: text must be valid UTF-8 (§8.1; a {@code String} always encodes to valid UTF-8,
 * lone surrogates become '?'); close codes must be sendable and reasons at most 123 UTF-8 bytes
 * (§5.5.1); nothing is sent after a close frame (§5.5.1). Breaking them is an
 * {@link IllegalArgumentException} or {@link IllegalStateException}, never bad bytes on the wire.
 *
 * <p>Not thread-safe: use it under the connection's write lock. Data arrays are not copied: do not
 * change them until {@link #encode} reported the message written.
 */
public final class MessageEncoder {

    /** The largest control frame on the wire: 2 header bytes, 4 mask bytes, 125 payload bytes. */
    public static final int MAX_CONTROL_FRAME_SIZE = 2 + 4 + 125;
    /** Largest close reason in UTF-8 bytes: 125 minus the 2-byte code (§5.5). */
    public static final int MAX_CLOSE_REASON_BYTES = 123;

    private final FrameWriter writer;
    private final PerMessageDeflate deflate;
    /** Validates a text message sent in fragments (allocated by the first one). */
    private Utf8Validator fragmentUtf8;

    // the data frame being written
    private byte[] data;
    private int off;
    private int len;
    private int opcode;
    private boolean fin;
    private boolean rsv1;
    private boolean headerWritten;
    private int written;

    // a fragmented message in progress
    private boolean fragmenting;
    private boolean fragmentText;
    private boolean fragmentCompressed;
    private boolean closeSent;

    /**
     * @param role    this endpoint's role (a client masks)
     * @param deflate the negotiated permessage-deflate, or null
     * @param masks   masking keys (required for a client; {@link MaskSource#secureRandom()} in production)
     */
    public MessageEncoder(Role role, PerMessageDeflate deflate, MaskSource masks) {
        this.writer = new FrameWriter(role, masks);
        this.deflate = deflate;
    }

    /** Starts a text message with the UTF-8 encoding of {@code text}; returns that encoding's length in bytes. */
    public int startText(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        startMessage(OpCode.TEXT, b, 0, b.length);
        return b.length;
    }

    /**
     * Starts a text message from bytes that must be valid UTF-8.
     *
     * @throws IllegalArgumentException if they are not
     */
    public void startText(byte[] utf8, int off, int len) {
        if (!Utf8Validator.isValid(utf8, off, len)) {
            throw new IllegalArgumentException("text is not valid UTF-8 (RFC 6455 §8.1)");
        }
        startMessage(OpCode.TEXT, utf8, off, len);
    }

    /** Starts a binary message. */
    public void startBinary(byte[] data, int off, int len) {
        startMessage(OpCode.BINARY, data, off, len);
    }

    private void startMessage(int op, byte[] b, int o, int n) {
        checkCanStart();
        if (fragmenting) {
            throw new IllegalStateException("a fragmented message is in progress; finish it first (RFC 6455 §5.4)");
        }
        java.util.Objects.checkFromIndexSize(o, n, b.length);
        byte[] c = deflate != null && deflate.shouldCompress(n) ? deflate.compressMessage(b, o, n) : null;
        if (c != null) {
            setFrame(op, true, true, c, 0, c.length);
        } else { // below the threshold, or deflate would not shrink it (RFC 7692 §6: RSV1 clear)
            setFrame(op, true, false, b, o, n);
        }
    }

    /**
     * Starts the next fragment of a fragmented message (RFC 6455 §5.4): the first call opens the
     * message ({@code text} decides its type), later calls send continuation frames ({@code text}
     * is then ignored), and {@code fin} closes it. Text fragments may split code points; the whole
     * message must be valid UTF-8.
     *
     * @throws IllegalArgumentException if text so far is invalid UTF-8, or ends mid code point at {@code fin}
     */
    public void startFragment(boolean text, byte[] b, int o, int n, boolean fin) {
        checkCanStart();
        java.util.Objects.checkFromIndexSize(o, n, b.length);
        boolean first = !fragmenting;
        if (first) {
            fragmentText = text;
            fragmentCompressed = deflate != null;
            if (fragmentUtf8 == null) fragmentUtf8 = new Utf8Validator();
            else fragmentUtf8.reset();
        }
        if (fragmentText && (fragmentUtf8.update(b, o, n) >= 0 || (fin && !fragmentUtf8.isComplete()))) {
            fragmentUtf8.reset();
            throw new IllegalArgumentException("text is not valid UTF-8 (RFC 6455 §8.1)");
        }
        fragmenting = !fin;
        int op = first ? (fragmentText ? OpCode.TEXT : OpCode.BINARY) : OpCode.CONTINUATION;
        if (fragmentCompressed) {
            byte[] c = deflate.compress(b, o, n, fin);
            setFrame(op, fin, first, c, 0, c.length);
        } else {
            setFrame(op, fin, false, b, o, n);
        }
    }

    private void checkCanStart() {
        if (closeSent) {
            throw new IllegalStateException("a close frame was sent; nothing may follow (RFC 6455 §5.5.1)");
        }
        if (data != null) {
            throw new IllegalStateException("the previous data frame is not fully encoded yet");
        }
    }

    private void setFrame(int op, boolean fin, boolean rsv1, byte[] b, int o, int n) {
        this.opcode = op;
        this.fin = fin;
        this.rsv1 = rsv1;
        this.data = b;
        this.off = o;
        this.len = n;
        this.headerWritten = false;
        this.written = 0;
    }

    /**
     * Writes as much of the pending data frame as fits in {@code dst}. Returns true when nothing
     * is pending any more (the frame is entirely in {@code dst}); false means: flush {@code dst}
     * and call again. A header is never split (it needs up to {@link FrameWriter#MAX_HEADER_SIZE} bytes).
     */
    public boolean encode(ByteBuffer dst) {
        if (data == null) {
            return true;
        }
        if (!headerWritten) {
            if (dst.remaining() < writer.headerSize(len)) {
                return false;
            }
            writer.writeHeader(dst, fin, rsv1, opcode, len);
            headerWritten = true;
        }
        written += writer.writePayload(dst, data, off + written, len - written);
        if (written < len) {
            return false;
        }
        data = null;
        return true;
    }

    /**
     * True when the rest of the pending frame's payload may be written to the transport verbatim,
     * without copying it through a buffer: a frame is pending and this endpoint does not mask
     * (a server, RFC 6455 §5.3). Compressed payloads qualify too (they are already their own array).
     * Use {@link #encode} first so the header (and whatever fits) precedes it, then
     * {@link #directArray()}, {@link #directOffset()}, {@link #pendingPayload()} and
     * {@link #directWritten(int)}.
     */
    public boolean canWriteDirectly() {
        return data != null && !writer.masks();
    }

    /** The array holding the pending payload (see {@link #canWriteDirectly()}). */
    public byte[] directArray() {
        return data;
    }

    /** Where the unwritten part of the pending payload starts in {@link #directArray()}. */
    public int directOffset() {
        return off + written;
    }

    /**
     * Records that the caller wrote the next {@code n} payload bytes to the transport itself, in
     * order after everything {@link #encode} put in its buffers (which must be flushed first).
     *
     * @throws IllegalStateException if the header was not encoded yet or this endpoint masks
     */
    public void directWritten(int n) {
        if (data == null || !headerWritten) {
            throw new IllegalStateException("encode the frame header before writing its payload directly");
        }
        writer.payloadWrittenDirectly(n); // checks the bounds
        written += n;
        if (written == len) {
            data = null;
        }
    }

    /** True while a data frame was started and not fully encoded. */
    public boolean hasPending() {
        return data != null;
    }

    /** Bytes of the pending data frame not yet encoded, header excluded (0 when none). */
    public int pendingPayload() {
        return data == null ? 0 : len - written;
    }

    /** True when a control frame may be written now: no data frame is partly written. */
    public boolean atFrameBoundary() {
        return data == null || !headerWritten;
    }

    /** True between the first and the final fragment of a fragmented message. */
    public boolean isFragmenting() {
        return fragmenting;
    }

    /** True once a close frame was encoded. */
    public boolean isCloseSent() {
        return closeSent;
    }

    /** Writes a ping frame (§5.5.2); payload at most 125 bytes. */
    public void encodePing(ByteBuffer dst, byte[] payload) {
        control(dst, OpCode.PING, payload);
    }

    /** Writes a pong frame (§5.5.3); payload at most 125 bytes (echo the ping's). */
    public void encodePong(ByteBuffer dst, byte[] payload) {
        control(dst, OpCode.PONG, payload);
    }

    /**
     * Writes a close frame (§5.5.1). {@code code} {@link CloseCode#NO_STATUS} (1005) sends an empty
     * payload (then {@code reason} must be empty). After this, no frame may be encoded.
     *
     * @throws IllegalArgumentException if the code may not be sent or the reason is over 123 bytes
     */
    public void encodeClose(ByteBuffer dst, int code, String reason) {
        control(dst, OpCode.CLOSE, closePayload(code, reason));
        closeSent = true;
        fragmenting = false;
        if (deflate != null) {
            deflate.endOutboundMessage(); // a fragmented message cut short gives its zlib state back
        }
    }

    /**
     * The payload of a close frame: the 2-byte code and the UTF-8 reason; empty for 1005.
     *
     * @throws IllegalArgumentException if {@code code} is not sendable (RFC 6455 §7.4) or the reason
     *                                  exceeds {@link #MAX_CLOSE_REASON_BYTES}
     */
    public static byte[] closePayload(int code, String reason) {
        String r = reason == null ? "" : reason;
        if (code == CloseCode.NO_STATUS) {
            if (!r.isEmpty()) {
                throw new IllegalArgumentException("a close reason needs a close code (RFC 6455 §5.5.1)");
            }
            return new byte[0];
        }
        if (!CloseCode.isValidToSend(code)) {
            throw new IllegalArgumentException("close code " + code + " may not be sent (RFC 6455 §7.4)");
        }
        byte[] rb = r.getBytes(StandardCharsets.UTF_8);
        if (rb.length > MAX_CLOSE_REASON_BYTES) {
            throw new IllegalArgumentException("close reason is " + rb.length + " UTF-8 bytes, at most "
                    + MAX_CLOSE_REASON_BYTES + " fit (RFC 6455 §5.5)");
        }
        byte[] p = new byte[2 + rb.length];
        p[0] = (byte) (code >> 8);
        p[1] = (byte) code;
        System.arraycopy(rb, 0, p, 2, rb.length);
        return p;
    }

    private void control(ByteBuffer dst, int op, byte[] payload) {
        byte[] p = payload == null ? new byte[0] : payload;
        if (p.length > 125) {
            throw new IllegalArgumentException("control frame payload over 125 bytes (RFC 6455 §5.5)");
        }
        if (closeSent) {
            throw new IllegalStateException("a close frame was sent; nothing may follow (RFC 6455 §5.5.1)");
        }
        if (!atFrameBoundary()) {
            throw new IllegalStateException("a data frame is partly written; control frames go between frames (RFC 6455 §5.4)");
        }
        if (dst.remaining() < writer.headerSize(p.length) + p.length) {
            throw new BufferOverflowException();
        }
        writer.writeFrame(dst, true, false, op, p, 0, p.length);
    }
}
