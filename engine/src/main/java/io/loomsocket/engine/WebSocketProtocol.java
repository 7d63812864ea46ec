package io.loomsocket.engine;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * One WebSocket connection's protocol, without I/O (RFC 6455 §5–§7, RFC 7692): bytes in,
 * intentions in, events and bytes out. It composes the engine's parts ({@link MessageAssembler}
 * for the inbound half, {@link MessageEncoder} for the outbound half, with {@link FrameParser},
 * {@link FrameWriter}, {@link Utf8Validator} and {@link PerMessageDeflate} beneath them) and owns
 * the rules between them: the closing handshake and its codes, failing the connection, the
 * automatic pong, nothing after close. It never blocks, reads no clock and starts no thread; the
 * driver (the blocking connection in {@code core}) owns the socket, the timers and the threads.
 *
 * <h2>Driving it</h2>
 * <pre>{@code
 * // bytes in: after each read
 * for (Event e; (e = protocol.receiveData(buf)) != null; ) handle(e);
 * // at end of stream
 * protocol.receiveEof();
 * // intentions in
 * protocol.sendText("hi"); protocol.sendPing(p); protocol.close(1000, "");
 * // bytes out: after any of the above, until it returns true
 * while (!protocol.writeTo(out)) flush(out);
 * if (protocol.closeTransportNow()) socket.close();
 * }</pre>
 * Events come one per {@link #receiveData} call, so a driver whose queue is full stops calling and
 * the bytes it has not fed stay in its buffer (backpressure). A data frame is written in as many
 * {@link #writeTo} calls as buffer space needs; the next data message may start once it is
 * written. A non-masking endpoint may write a large payload straight from the caller's array
 * ({@link #canWriteDirectly()}).
 *
 * <h2>State (RFC 6455 §7)</h2>
 * <pre>
 *   OPEN --close() or fail()-----------------> CLOSING_SENT     --peer's close received----------+
 *   OPEN --peer's close received (echo queued)-> CLOSING_RECEIVED --our close written by writeTo-+--> CLOSED
 *   CLOSING_SENT --after fail(): our close written by writeTo---------------------------------------> CLOSED
 *   any  --receiveEof() / fail(1006)-------------------------------------------------------------------> CLOSED
 * </pre>
 * CLOSED means no frame goes either way any more; {@link #closeTransportNow()} says when the
 * driver closes TCP (a server at once, a client once the server closed it, §7.1.1).
 *
 * <h2>Rules it owns</h2>
 * <ul>
 *   <li>A ping is answered with a pong carrying its payload, before queued data; only the latest
 *       of several unanswered pings is answered (§5.5.2, §5.5.3). No pong once our close is queued.</li>
 *   <li>The peer's close is echoed with its code (an empty close for an empty one, §5.5.1); data
 *       after it is ignored. Once our close is queued nothing more is sent (§5.5.1): sends throw
 *       {@link IllegalStateException}; {@link #close} again is a no-op (the first close wins).</li>
 *   <li>A protocol error or a broken limit in the peer's bytes is reported as an
 *       {@link Event.Failure} after the complete events before it (strict delivery), and the
 *       protocol stops reading. The close frame goes out when the driver calls {@link #fail}, so
 *       the application may answer what came before; a {@link #close} meanwhile sends the
 *       failure's code, not its own (§7.1.7).</li>
 *   <li>Events other than pongs count as the peer's activity ({@link #activity()}): a keepalive
 *       that sees activity after its ping knows the peer is alive even if the pong is late; a pong
 *       proves nothing about a ping it does not match (§5.5.3), so it does not count.</li>
 * </ul>
 *
 * <p>Not thread-safe: the driver calls it from one thread at a time (under its connection lock).
 */
public final class WebSocketProtocol {

    /** The connection's state; see the class comment. */
    public enum State { OPEN, CLOSING_SENT, CLOSING_RECEIVED, CLOSED }

    /**
     * Application pings and pongs that may wait for {@link #writeTo} at once. A driver writes them
     * out at once; more waiting means it does not, and a send then fails instead of piling up.
     */
    public static final int MAX_QUEUED_CONTROL_FRAMES = 16;

    private final Role role;
    private final MessageAssembler assembler;
    private final MessageEncoder encoder;
    private State state = State.OPEN;

    // inbound
    private boolean reading = true;
    private Event.Close closeReceived;
    private boolean eofReceived;
    private Event.Failure failure;
    private long activity;

    // outbound, written by writeTo in this order at a frame boundary: pong, pings/pongs, then close
    private byte[] autoPong;
    /** Queued pings and pongs, opcode byte + payload; allocated by the first one (an idle connection has none). */
    private ArrayDeque<byte[]> control;
    private boolean closeQueued;
    private boolean closeWritten;
    private int closeCodeSent = -1;
    private String closeReasonSent = "";
    private boolean failed;
    private int failCode = -1;
    private String failReason = "";

    /**
     * @param role    this endpoint's role (masking, §5.1, §5.3; who closes TCP, §7.1.1)
     * @param config  limits
     * @param deflate the negotiated permessage-deflate, or null
     * @param masks   masking keys; required for a client ({@link MaskSource#secureRandom()} in production)
     */
    public WebSocketProtocol(Role role, EngineConfig config, PerMessageDeflate deflate, MaskSource masks) {
        this.role = role;
        this.assembler = new MessageAssembler(role, config, deflate);
        this.encoder = new MessageEncoder(role, deflate, masks);
    }

    public Role role() {
        return role;
    }

    public State state() {
        return state;
    }

    // ================================================================= bytes in

    /**
     * Consumes bytes from {@code in} and returns the next event, or null when more bytes are
     * needed. Call again until null. A ping queues its pong, the peer's close queues the echo: call
     * {@link #writeTo} afterwards. After the peer's close, a failure or the end of stream, bytes are
     * consumed and ignored (§5.5.1, §7.1.7).
     */
    public Event receiveData(ByteBuffer in) {
        if (!reading) {
            in.position(in.limit());
            return null;
        }
        Event e;
        try {
            e = assembler.next(in);
        } catch (ProtocolException x) {
            reading = false;
            in.position(in.limit());
            failure = new Event.Failure(x.closeCode(), x.closeReason());
            return failure;
        }
        if (e == null) {
            if (!reading || assembler.isClosed()) in.position(in.limit());
            return null;
        }
        switch (e) {
            case Event.Ping p -> {
                activity++;
                if (!closeQueued) autoPong = p.payload(); // §5.5.3: the latest ping's answer suffices
            }
            case Event.Pong p -> { } // not activity: see the class comment
            case Event.Close c -> {
                activity++;
                reading = false;
                closeReceived = c;
                if (!closeQueued) {
                    queueClose(c.code(), ""); // §5.5.1: echo the code
                    state = State.CLOSING_RECEIVED;
                } else if (closeWritten) {
                    state = State.CLOSED;
                }
                in.position(in.limit());
            }
            default -> activity++;
        }
        return e;
    }

    /**
     * The peer closed the TCP connection (or it broke). The state becomes CLOSED; without the
     * peer's close frame before it the close code is 1006 (§7.1.5). Nothing more is sent.
     */
    public void receiveEof() {
        eofReceived = true;
        reading = false;
        state = State.CLOSED;
        dropOutput();
    }

    /** Streaming mode for the next data message (see {@link MessageAssembler#setStreaming}). */
    public void setStreaming(boolean streaming) {
        assembler.setStreaming(streaming);
    }

    /** True while a received data message has started but not ended. */
    public boolean isMidMessage() {
        return assembler.isMidMessage();
    }

    /** Events received so far other than pongs (a count, not a time: the driver has the clock). */
    public long activity() {
        return activity;
    }

    // ================================================================= intentions in

    /**
     * Starts a text message; returns its UTF-8 length in bytes.
     * @throws IllegalStateException once our close is queued, or while a data frame is unwritten
     */
    public int sendText(String text) {
        checkCanSend();
        return encoder.startText(text);
    }

    /** Starts a text message from UTF-8 bytes. @throws IllegalArgumentException if they are not valid UTF-8 */
    public void sendText(byte[] utf8, int off, int len) {
        checkCanSend();
        encoder.startText(utf8, off, len);
    }

    /** Starts a binary message; the array is not copied: leave it alone until it is written. */
    public void sendBinary(byte[] data, int off, int len) {
        checkCanSend();
        encoder.startBinary(data, off, len);
    }

    /** Starts the next fragment of a fragmented message (§5.4, see {@link MessageEncoder#startFragment}). */
    public void sendFragment(boolean text, byte[] b, int off, int len, boolean fin) {
        checkCanSend();
        encoder.startFragment(text, b, off, len, fin);
    }

    /** Queues a ping (§5.5.2), at most 125 bytes of payload. */
    public void sendPing(byte[] payload) {
        queueControl(OpCode.PING, payload);
    }

    /** Queues an unsolicited pong (§5.5.3: a heartbeat), at most 125 bytes of payload. */
    public void sendPong(byte[] payload) {
        queueControl(OpCode.PONG, payload);
    }

    /**
     * Starts the closing handshake (§7.1.2): queues our close frame after the data frame being
     * written. A no-op once a close frame is queued or the connection is closed; after a reported
     * {@link Event.Failure} it fails the connection with the failure's code instead.
     *
     * @throws IllegalArgumentException if the code may not be sent or the reason is over 123 UTF-8 bytes
     */
    public void close(int code, String reason) {
        MessageEncoder.closePayload(code, reason); // validates before any state changes
        if (failure != null) {
            fail(failure.closeCode(), failure.reason());
            return;
        }
        if (closeQueued || state == State.CLOSED) return;
        queueClose(code, reason == null ? "" : reason);
        state = State.CLOSING_SENT;
    }

    /**
     * Fails the connection (§7.1.7): queues a close frame with {@code code} unless one is queued
     * already, stops reading, and once that frame is written the state is CLOSED and the driver
     * closes TCP without waiting for the peer's close. {@link CloseCode#ABNORMAL} (1006) sends
     * nothing and closes at once (an I/O error, a timeout, an abort). Idempotent: the first
     * failure's code is the one reported.
     */
    public void fail(int code, String reason) {
        if (failed || state == State.CLOSED) return;
        failed = true;
        reading = false;
        failCode = code;
        failReason = reason == null ? "" : Utf8.truncate(reason, MessageEncoder.MAX_CLOSE_REASON_BYTES);
        if (code == CloseCode.ABNORMAL) {
            state = State.CLOSED;
            dropOutput();
            return;
        }
        if (!closeQueued) {
            queueClose(code, failReason);
        }
        state = closeWritten ? State.CLOSED : State.CLOSING_SENT;
    }

    private void checkCanSend() {
        if (closeQueued || state == State.CLOSED) {
            throw new IllegalStateException("a close frame was sent; nothing may follow (RFC 6455 §5.5.1)");
        }
    }

    private void queueControl(int opcode, byte[] payload) {
        byte[] p = payload == null ? new byte[0] : payload;
        if (p.length > 125) {
            throw new IllegalArgumentException("control frame payload over 125 bytes (RFC 6455 §5.5)");
        }
        checkCanSend();
        if (control != null && control.size() >= MAX_QUEUED_CONTROL_FRAMES) {
            throw new IllegalStateException(MAX_QUEUED_CONTROL_FRAMES + " control frames wait to be written already");
        }
        byte[] frame = new byte[1 + p.length];
        frame[0] = (byte) opcode;
        System.arraycopy(p, 0, frame, 1, p.length);
        if (control == null) control = new ArrayDeque<>(2);
        control.addLast(frame);
    }

    private void queueClose(int code, String reason) {
        closeQueued = true;
        closeCodeSent = code;
        closeReasonSent = reason;
        autoPong = null;
    }

    private void dropOutput() {
        autoPong = null;
        if (control != null) control.clear();
        closeQueued = true;
    }

    // ================================================================= bytes out

    /**
     * Writes what is due into {@code dst}, in order: at a frame boundary the pong and queued
     * pings/pongs (control frames overtake queued data, §5.4, §5.5), then as much of the data frame
     * being sent as fits, then our close frame. A frame header is never split; a control frame is
     * written whole or not at all. Returns true when nothing is left to write; false means flush
     * {@code dst} and call again.
     */
    public boolean writeTo(ByteBuffer dst) {
        if (state == State.CLOSED && closeWritten || eofReceived || (failed && failCode == CloseCode.ABNORMAL)) {
            return true;
        }
        if (encoder.atFrameBoundary() && !writeControl(dst)) return false;
        if (!encoder.encode(dst)) return false;
        if (!writeControl(dst)) return false; // queued while the data frame was being written
        if (closeQueued && !closeWritten) {
            if (dst.remaining() < MessageEncoder.MAX_CONTROL_FRAME_SIZE) return false;
            encoder.encodeClose(dst, closeCodeSent, closeReasonSent);
            closeWritten = true;
            if (failed || closeReceived != null) state = State.CLOSED;
        }
        return true;
    }

    /** Writes the pong and the queued pings/pongs; false if {@code dst} ran out of room. At a frame boundary only. */
    private boolean writeControl(ByteBuffer dst) {
        if (autoPong != null) {
            if (dst.remaining() < MessageEncoder.MAX_CONTROL_FRAME_SIZE) return false;
            encoder.encodePong(dst, autoPong);
            autoPong = null;
        }
        if (control == null) return true;
        for (byte[] c; (c = control.peekFirst()) != null; control.pollFirst()) {
            if (dst.remaining() < MessageEncoder.MAX_CONTROL_FRAME_SIZE) return false;
            byte[] p = Arrays.copyOfRange(c, 1, c.length);
            if (c[0] == OpCode.PING) encoder.encodePing(dst, p);
            else encoder.encodePong(dst, p);
        }
        return true;
    }

    /** True while something waits for {@link #writeTo}. */
    public boolean hasDataToSend() {
        if (eofReceived || (failed && failCode == CloseCode.ABNORMAL)) return false;
        return autoPong != null || (control != null && !control.isEmpty()) || encoder.hasPending() || (closeQueued && !closeWritten);
    }

    /** Everything due, as one array (tests and simple drivers; a driver with its own buffer uses {@link #writeTo}). */
    public byte[] dataToSend() {
        ByteBuffer b = ByteBuffer.allocate(256);
        while (!writeTo(b)) {
            int grown = b.capacity() * 2 + encoder.pendingPayload();
            b = ByteBuffer.allocate(grown).put(b.flip());
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    /**
     * True when the driver should close the TCP connection now: the connection is CLOSED and
     * everything due was written, and this is a server (it closes first, §7.1.1), or the
     * connection failed, or the peer closed TCP already. A client whose closing handshake
     * completed waits for the server to close TCP, up to its close timeout.
     */
    public boolean closeTransportNow() {
        return state == State.CLOSED && !hasDataToSend() && (role == Role.SERVER || failed || eofReceived);
    }

    /** True when a data frame is partly written: control frames must wait until it is done (§5.4). */
    public boolean atFrameBoundary() {
        return encoder.atFrameBoundary();
    }

    /** Bytes of the data frame being sent that are not written yet (0 when none). */
    public int pendingPayload() {
        return encoder.pendingPayload();
    }

    /** True when the rest of the pending payload may go to the transport straight from its array ({@link MessageEncoder#canWriteDirectly}). */
    public boolean canWriteDirectly() {
        return encoder.canWriteDirectly();
    }

    /** The array of the pending payload (see {@link #canWriteDirectly()}). */
    public byte[] directArray() {
        return encoder.directArray();
    }

    /** Where the unwritten part of the pending payload starts in {@link #directArray()}. */
    public int directOffset() {
        return encoder.directOffset();
    }

    /** The driver wrote the next {@code n} payload bytes itself, after everything {@link #writeTo} gave it. */
    public void directWritten(int n) {
        encoder.directWritten(n);
    }

    /** True between the first and the final fragment of a message we send. */
    public boolean isFragmenting() {
        return encoder.isFragmenting();
    }

    // ================================================================= queries

    /** True once our close frame is queued (or the connection ended): nothing more may be sent. */
    public boolean isCloseQueued() {
        return closeQueued;
    }

    /** True once our close frame was written by {@link #writeTo}. */
    public boolean isCloseWritten() {
        return closeWritten;
    }

    /** The peer's close frame, or null. */
    public Event.Close closeReceived() {
        return closeReceived;
    }

    /** True once the connection was failed ({@link #fail}). */
    public boolean isFailed() {
        return failed;
    }

    /**
     * The connection's close code: ours if we failed it, else the peer's (1005 for an empty close
     * frame), else 1006 once CLOSED without one (§7.1.5); -1 while none is known.
     */
    public int closeCode() {
        if (failed) return failCode;
        if (closeReceived != null) return closeReceived.code();
        return state == State.CLOSED ? CloseCode.ABNORMAL : -1;
    }

    /** The reason that goes with {@link #closeCode()}; empty when none. */
    public String closeReason() {
        if (failed) return failReason;
        if (closeReceived != null) return closeReceived.reason();
        return "";
    }

    @Override
    public String toString() {
        return "WebSocketProtocol[" + role + " " + state + "]";
    }
}
