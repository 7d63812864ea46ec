package io.loomsocket.engine;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Inflater;

/**
 * The inbound half of the protocol: bytes in, {@link Event}s out. It parses frames (with its own
 * {@link FrameParser}), sequences fragments, validates text, decompresses permessage-deflate
 * messages and enforces the size limits. Pull model: call {@link #next(ByteBuffer)} until it
 * returns {@code null} ("need more bytes"), then read more from the socket.
 *
 * <pre>{@code
 * buf.flip();
 * for (Event e; (e = assembler.next(buf)) != null; ) handle(e);
 * buf.compact();
 * }</pre>
 *
 * <p>Rules enforced (each failure is a {@link ProtocolException} carrying the close code):
 * <ul>
 * <li>continuation sequencing (RFC 6455 §5.4): a continuation frame without a message in progress,
 *     or a text/binary frame while one is in progress → 1002; control frames may come between
 *     fragments and are reported at once;</li>
 * <li>UTF-8 of text messages (§8.1), validated incrementally, also across fragments and within a
 *     frame that is still arriving, failing at the first invalid byte → 1007;</li>
 * <li>close payloads (§5.5.1, §7.4): 1 byte → 1002, invalid code → 1002, invalid UTF-8 reason → 1007;</li>
 * <li>fragments per assembled message: {@link EngineConfig#maxFragments()}, checked at each
 *     continuation frame's header → 1009;</li>
 * <li>message size (§10.4): {@link EngineConfig#maxMessageSize()} (or
 *     {@link EngineConfig#maxStreamedMessageSize()} in streaming mode) is checked from each frame
 *     header before its payload is buffered; decompressed bytes are counted as they are produced,
 *     in steps, so a deflate bomb stops at the limit → 1009;</li>
 * <li>everything {@link FrameParser} checks (masking, RSV bits, opcodes, control frame size).</li>
 * </ul>
 *
 * <p><b>Streaming mode</b> ({@link #setStreaming(boolean)}, effective from the next message):
 * data messages are delivered as {@link Event.StreamStart}, {@link Event.StreamData} chunks of at
 * most {@link EngineConfig#streamChunkSize()} bytes, and {@link Event.StreamEnd}, without being
 * assembled. Data frames longer than {@link EngineConfig#streamChunkSize()} (or than
 * {@link EngineConfig#maxFrameSize()}, if that is smaller) are not buffered either:
 * their payload is delivered piece by piece as it arrives (validated, inflated), so
 * {@link EngineConfig#maxFrameSize()} does not limit them, only
 * {@link EngineConfig#maxStreamedMessageSize()} does. A browser that sends a 1 GiB file as one
 * frame can thus be read as a stream with memory bounded by one chunk.
 *
 * <p>After an {@link Event.Close} it reports nothing more and leaves later bytes unconsumed. After
 * a {@link ProtocolException} the assembler is unusable; fail the connection.
 *
 * <p>Not thread-safe: one reader thread per connection.
 */
public final class MessageAssembler {

    private final EngineConfig config;
    private final PerMessageDeflate deflate;
    private final FrameParser parser;
    /** Validates the text message in progress; made when the first text message starts (used only while msgText). */
    private Utf8Validator utf8;
    /** The StreamEnd that follows a streamed message's last chunk, returned by the next call. */
    private Event pending;
    private boolean streamingMode;
    private boolean closed;
    private boolean failed;

    // the data message in progress
    private boolean inMessage;
    private boolean msgText;
    private boolean msgCompressed;
    private boolean msgStreaming;
    private long msgSize;
    private long msgLimit;
    private int msgFrames;
    /** Frames of the message in progress whose header has been read (msgFrames counts finished ones). */
    private int msgFragments;
    private byte[] buf;
    private int bufLen;

    // the frame in progress (set from its header)
    private boolean validateOnArrival;

    // streaming: the source of the chunks still to deliver for the last data frame
    private boolean draining;
    private boolean drainFin;
    private byte[] src;
    private int srcOff;
    /** A code point's first bytes cut off by a text chunk's end (allocated when one first is). */
    private byte[] carry;
    private int carryLen;

    // inflation state of the current frame
    private boolean tailFed;

    /**
     * @param role    this endpoint's role (a server requires masked frames)
     * @param config  limits
     * @param deflate the negotiated permessage-deflate, or null when none was negotiated (then RSV1 → 1002)
     */
    public MessageAssembler(Role role, EngineConfig config, PerMessageDeflate deflate) {
        this.config = config;
        this.deflate = deflate;
        this.parser = new FrameParser(role, config.maxFrameSize(), deflate != null);
        this.parser.setListener(new FrameParser.Listener() {
            @Override public boolean onHeader(int opcode, boolean fin, boolean rsv1, long length) {
                return MessageAssembler.this.onHeader(opcode, rsv1, length);
            }

            @Override public void onPayload(byte[] b, int from, int to) {
                if (validateOnArrival && utf8.update(b, from, to - from) >= 0) {
                    throw invalidUtf8();
                }
            }
        });
    }

    /**
     * Streaming mode on or off; takes effect when the next data message starts (a message in
     * progress keeps the mode it started with).
     */
    public void setStreaming(boolean streaming) {
        this.streamingMode = streaming;
    }

    public boolean isStreaming() {
        return streamingMode;
    }

    /** True while a data message has started but not ended (a peer that closes now truncated it). */
    public boolean isMidMessage() {
        return inMessage || parser.isMidFrame();
    }

    /** True once a close frame was received. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Consumes bytes from {@code in} and returns the next event, or {@code null} when more bytes are
     * needed (or after a close frame).
     *
     * @throws ProtocolException when the peer broke the protocol or a limit; send its close code
     */
    public Event next(ByteBuffer in) {
        if (failed) {
            throw new IllegalStateException("the assembler failed earlier; the connection must be failed");
        }
        try {
            for (;;) {
                Event e = pending;
                if (e != null) {
                    pending = null;
                    return e;
                }
                if (draining) {
                    e = drainChunk();
                    if (e != null) {
                        return e;
                    }
                    continue;
                }
                if (closed) {
                    return null;
                }
                if (parser.isStreamingPayload()) {
                    byte[] piece = parser.readPiece(in, config.streamChunkSize() - carryLen);
                    if (piece == null) {
                        return null;
                    }
                    e = onPiece(piece, !parser.isStreamingPayload() && parser.currentFin());
                    if (e != null) {
                        return e;
                    }
                    continue;
                }
                switch (parser.step(in)) {
                    case FrameParser.Progress.NEED_BYTES -> {
                        return null;
                    }
                    case FrameParser.Progress.STREAMED_HEADER -> {
                        if (msgFrames++ == 0) {
                            return new Event.StreamStart(msgText);
                        }
                    }
                    case Frame f -> {
                        e = onFrame(f);
                        if (e != null) {
                            return e;
                        }
                    }
                }
            }
        } catch (ProtocolException e) {
            failed = true;
            throw e;
        }
    }

    private static ProtocolException invalidUtf8() {
        return new ProtocolException(CloseCode.INVALID_PAYLOAD, "invalid UTF-8 in a text message (RFC 6455 §8.1)");
    }

    private ProtocolException tooBig() {
        return new ProtocolException(CloseCode.MESSAGE_TOO_BIG,
                "message exceeds the limit of " + msgLimit + " bytes (RFC 6455 §10.4)");
    }

    /** Returns true when the frame's payload should be streamed in pieces (see the class comment). */
    private boolean onHeader(int opcode, boolean rsv1, long length) {
        if (OpCode.isControl(opcode)) {
            validateOnArrival = false;
            return false;
        }
        if (opcode == OpCode.CONTINUATION) {
            if (!inMessage) {
                throw ProtocolException.protocol("continuation frame without a message to continue (RFC 6455 §5.4)");
            }
            if (!msgStreaming && ++msgFragments > config.maxFragments()) {
                throw new ProtocolException(CloseCode.MESSAGE_TOO_BIG,
                        "message in more than " + config.maxFragments() + " fragments");
            }
        } else {
            if (inMessage) {
                throw ProtocolException.protocol("new " + OpCode.name(opcode)
                        + " frame while a fragmented message is in progress (RFC 6455 §5.4)");
            }
            inMessage = true;
            msgText = opcode == OpCode.TEXT;
            msgCompressed = rsv1;
            msgStreaming = streamingMode;
            msgLimit = msgStreaming ? config.maxStreamedMessageSize() : config.maxMessageSize();
            msgSize = 0;
            msgFrames = 0;
            msgFragments = 1;
            if (msgText) {
                if (utf8 == null) utf8 = new Utf8Validator();
                else utf8.reset();
            }
        }
        if (!msgCompressed && msgSize + length > msgLimit) {
            throw tooBig();
        }
        validateOnArrival = msgText && !msgCompressed;
        tailFed = false;
        boolean stream = msgStreaming && length > Math.min(config.streamChunkSize(), config.maxFrameSize());
        if (stream && !msgCompressed) {
            msgSize += length; // counted now: the pieces are not seen by onDataFrame
        }
        return stream;
    }

    /** A piece of a streamed frame; {@code finalPiece} when it ends the message's last frame. */
    private Event onPiece(byte[] piece, boolean finalPiece) {
        if (msgCompressed) {
            deflate.inflater().setInput(piece);
            return startDrain(false, finalPiece, null);
        }
        if (finalPiece && msgText && !utf8.isComplete()) {
            throw invalidUtf8();
        }
        return startDrain(false, finalPiece, piece);
    }

    private Event onFrame(Frame f) {
        switch (f.opcode()) {
            case OpCode.PING:
                return new Event.Ping(f.payload());
            case OpCode.PONG:
                return new Event.Pong(f.payload());
            case OpCode.CLOSE:
                Event.Close c = Event.Close.parse(f.payload());
                closed = true;
                return c;
            default:
                return onDataFrame(f);
        }
    }

    private Event onDataFrame(Frame f) {
        boolean first = msgFrames++ == 0;
        byte[] p = f.payload();
        if (msgCompressed) {
            Inflater inf = deflate.inflater();
            inf.setInput(p);
            if (msgStreaming) {
                return startDrain(first, f.fin(), null);
            }
            if (buf == null) { // sized from the compressed length instead of doubling up from 256 B
                buf = new byte[PerMessageDeflate.firstInflateBuffer(p.length, msgLimit)];
            }
            inflateAll(inf, f.fin());
            return f.fin() ? finishAssembled() : null;
        }
        msgSize += p.length;
        if (f.fin() && msgText && !utf8.isComplete()) {
            throw invalidUtf8(); // the message ends inside a code point
        }
        if (msgStreaming) {
            return startDrain(first, f.fin(), p);
        }
        if (first && f.fin()) {
            endMessage();
            return msgText ? new Event.Text(new String(p, StandardCharsets.UTF_8), p.length) : new Event.Binary(p);
        }
        ensureRoom(p.length);
        System.arraycopy(p, 0, buf, bufLen, p.length);
        bufLen += p.length;
        return f.fin() ? finishAssembled() : null;
    }

    /** Grows the assembly buffer for {@code more} bytes; sizes were checked against the limit already. */
    private void ensureRoom(int more) {
        int need = bufLen + more;
        if (buf == null || need > buf.length) {
            int cap = buf == null ? 0 : buf.length;
            int grown = (int) Math.min(Math.max((long) cap * 2, 256), Math.min(msgLimit, Integer.MAX_VALUE - 16) + 1);
            buf = Arrays.copyOf(buf == null ? new byte[0] : buf, Math.max(need, grown));
        }
    }

    /** Inflates the whole current frame into the assembly buffer, checking the limit at each step. */
    private void inflateAll(Inflater inf, boolean fin) {
        for (;;) {
            if (bufLen > msgLimit) {
                throw tooBig();
            }
            if (buf == null || bufLen == buf.length) {
                ensureRoom(1); // at most msgLimit + 1 bytes: one more than allowed reveals a bomb
            }
            int n = produce(inf, fin, buf, bufLen, buf.length - bufLen);
            if (n < 0) {
                return;
            }
            if (msgText && utf8.update(buf, bufLen, n) >= 0) {
                throw invalidUtf8();
            }
            bufLen += n;
            msgSize += n;
        }
    }

    /**
     * Inflates up to {@code max} (> 0) bytes of the current frame, feeding the RFC 7692 §7.2.2 tail
     * after the final frame's payload. Returns the count produced, or -1 when the frame is used up.
     */
    private int produce(Inflater inf, boolean fin, byte[] out, int off, int max) {
        for (int stalls = 0; ; ) {
            if (inf.finished()) {
                return -1; // the peer ended the DEFLATE stream with a BFINAL block (§7.2.3.3)
            }
            int n = deflate.inflate(inf, out, off, max);
            if (n > 0) {
                return n;
            }
            if (inf.needsDictionary()) {
                throw ProtocolException.protocol("permessage-deflate data asks for a preset dictionary (RFC 7692 §7.2.2)");
            }
            if (inf.needsInput()) {
                if (fin && !tailFed) {
                    inf.setInput(PerMessageDeflate.TAIL);
                    tailFed = true;
                    continue;
                }
                return -1;
            }
            if (inf.finished()) {
                return -1;
            }
            if (++stalls > 2) {
                throw ProtocolException.protocol("permessage-deflate data cannot be inflated (RFC 7692 §7.2.2)");
            }
        }
    }

    private Event finishAssembled() {
        if (msgText && !utf8.isComplete()) {
            throw invalidUtf8();
        }
        byte[] b = buf;
        int n = bufLen;
        endMessage();
        return msgText ? new Event.Text(new String(b, 0, n, StandardCharsets.UTF_8), n)
                : new Event.Binary(n == b.length ? b : Arrays.copyOf(b, n));
    }

    private void endMessage() {
        if (msgCompressed) {
            Inflater inf = deflate.inflater();
            if (inf.finished()) {
                inf.reset(); // a BFINAL block ended the stream; the next message starts a new one
            }
            deflate.endInboundMessage();
        }
        inMessage = false;
        buf = null; // an idle connection holds no assembly buffer
        bufLen = 0;
        carryLen = 0;
        if (utf8 != null) utf8.reset();
    }

    // ---- streaming ----

    private Event startDrain(boolean first, boolean fin, byte[] payload) {
        draining = true;
        drainFin = fin;
        src = payload;
        srcOff = 0;
        return first ? new Event.StreamStart(msgText) : null;
    }

    /** The next chunk of the current frame, StreamEnd after the final one, or null when the frame is used up. */
    private Event drainChunk() {
        int size = config.streamChunkSize();
        byte[] out;
        int n = carryLen;
        boolean exhausted;
        if (src != null) { // uncompressed, validated as it arrived
            int take = Math.min(src.length - srcOff, size - n);
            out = new byte[n + take];
            if (n > 0) System.arraycopy(carry, 0, out, 0, n);
            System.arraycopy(src, srcOff, out, n, take);
            srcOff += take;
            n += take;
            exhausted = srcOff == src.length;
        } else { // compressed: inflate, count and validate as produced
            out = new byte[size];
            if (n > 0) System.arraycopy(carry, 0, out, 0, n);
            Inflater inf = deflate.inflater();
            exhausted = false;
            while (n < size) {
                int k = produce(inf, drainFin, out, n, size - n);
                if (k < 0) {
                    exhausted = true;
                    break;
                }
                msgSize += k;
                if (msgSize > msgLimit) {
                    throw tooBig();
                }
                if (msgText && utf8.update(out, n, k) >= 0) {
                    throw invalidUtf8();
                }
                n += k;
            }
        }
        carryLen = 0;
        if (msgText) {
            if (exhausted && drainFin && !utf8.isComplete()) {
                throw invalidUtf8();
            }
            int t = incompleteTail(out, n);
            if (t > 0) {
                if (carry == null) carry = new byte[3];
                System.arraycopy(out, n - t, carry, 0, t);
            }
            carryLen = t;
            n -= t;
        }
        Event data = n == 0 ? null : new Event.StreamData(n == out.length ? out : Arrays.copyOf(out, n));
        if (exhausted) {
            draining = false;
            src = null;
            if (drainFin) {
                endMessage();
                if (data == null) {
                    return new Event.StreamEnd();
                }
                pending = new Event.StreamEnd();
            }
        }
        return data;
    }

    /**
     * Length of the unfinished code point at the end of valid UTF-8 {@code b[0..n)}: 0 when it ends
     * on a boundary, else 1..3.
     */
    static int incompleteTail(byte[] b, int n) {
        for (int back = 1; back <= Math.min(4, n); back++) {
            int x = b[n - back] & 0xFF;
            if ((x & 0xC0) != 0x80) { // a lead byte (or ASCII)
                int need = x < 0x80 ? 1 : x < 0xE0 ? 2 : x < 0xF0 ? 3 : 4;
                return need > back ? back : 0;
            }
        }
        return 0;
    }
}
