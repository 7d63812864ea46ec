package io.loomsocket.test;

import io.loomsocket.Message;
import io.loomsocket.engine.ClientHandshake;
import io.loomsocket.engine.DeflateConfig;
import io.loomsocket.engine.EngineConfig;
import io.loomsocket.engine.Event;
import io.loomsocket.engine.Frame;
import io.loomsocket.engine.FrameWriter;
import io.loomsocket.engine.HandshakeException;
import io.loomsocket.engine.HttpHead;
import io.loomsocket.engine.HttpHeaders;
import io.loomsocket.engine.MaskSource;
import io.loomsocket.engine.MessageAssembler;
import io.loomsocket.engine.MessageEncoder;
import io.loomsocket.engine.OpCode;
import io.loomsocket.engine.ProtocolException;
import io.loomsocket.engine.Role;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

/**
 * A WebSocket client on a raw socket that misbehaves when the test says so, to test how a view
 * copes with a bad peer: one that {@linkplain #stopReading() stops reading} (the view's sends
 * block, then fail after {@code websocket.write_timeout}), {@linkplain #sendInvalidUtf8() sends
 * invalid UTF-8} (1007), a {@linkplain #sendFragmentStorm(int, int) fragment storm}, an
 * {@linkplain #sendOversized(int) oversized message} (1009), {@linkplain #resetMidFrame() resets
 * the connection mid-frame} (the view sees 1006), or {@linkplain #ignorePings() never answers
 * pings} (the keepalive drops it with 1011). Frames are written by the engine's
 * {@link FrameWriter}, masked as RFC 6455 §5.3 requires of a client (unless a test sends raw
 * bytes), and read by the engine's {@link MessageAssembler}. Nothing happens behind the test's
 * back: the peer reads only inside {@code receive}/{@code expect} calls, and answers a ping only
 * there (never after {@link #ignorePings()}).
 *
 * <pre>{@code
 * try (MisbehavingPeer peer = client.misbehaving("/echo")) {
 *     peer.sendInvalidUtf8();
 *     peer.expectClose(1007);
 * }
 * }</pre>
 *
 * Made by {@link TestClient#misbehaving(String)}, with the client's cookies and the server's
 * Origin, or by {@link #open} for any server; no extension is negotiated. Not thread-safe: one test thread drives it.
 */
public final class MisbehavingPeer implements AutoCloseable {
    /**
     * The socket receive buffer this peer asks for before it connects: small, so that once it stops
     * reading the server's sends block after a few tens of KiB instead of megabytes.
     */
    public static final int RECEIVE_BUFFER = 16 * 1024;
    /** Largest frame and message this peer reads from the server. */
    private static final int MAX_RECEIVED = 64 << 20;
    /** Bytes gathered before one socket write (fragment storms, oversized messages). */
    private static final int WRITE_BATCH = 64 * 1024;
    /** The UTF-8 of "ok" followed by 0xC0 0xAF, an overlong encoding of '/' that RFC 3629 §3 forbids. */
    private static final byte[] INVALID_UTF8 = {'o', 'k', (byte) 0xC0, (byte) 0xAF};

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String path;
    private final Duration timeout;
    private FrameWriter writer = new FrameWriter(Role.CLIENT, MaskSource.secureRandom());
    private final MessageAssembler assembler = new MessageAssembler(Role.CLIENT,
            EngineConfig.defaults().withMaxMessageSize(MAX_RECEIVED).withMaxFrameSize(MAX_RECEIVED), null);
    private ByteBuffer rx;
    private boolean reading = true;
    private boolean answerPings = true;
    /** A write failed (the server closed): the wire may end mid-frame, so nothing more is written. */
    private boolean writeFailed;

    private MisbehavingPeer(Socket socket, String path, Duration timeout, byte[] leftover) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.path = path;
        this.timeout = timeout;
        this.rx = ByteBuffer.allocate(Math.max(64 * 1024, leftover.length));
        rx.put(leftover).flip();
    }

    /**
     * Connects to any WebSocket server on 127.0.0.1:{@code port} (not only a {@link TestServer})
     * and runs the opening handshake (RFC 6455 §4.1) with {@code headers} (Origin, Cookie, ...).
     * Each read waits at most {@code timeout}.
     *
     * @throws AssertionError if the server refuses the upgrade
     */
    public static MisbehavingPeer open(int port, String path, HttpHeaders headers, Duration timeout) {
        Socket socket = new Socket();
        try {
            socket.setReceiveBufferSize(RECEIVE_BUFFER); // before connecting: it sets the TCP window scale
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis()); // a test fails instead of hanging
            ClientHandshake hs = new ClientHandshake("127.0.0.1:" + port, path, List.of(), DeflateConfig.DISABLED, headers);
            socket.getOutputStream().write(hs.requestBytes());
            socket.getOutputStream().flush();
            HttpHead head = HttpHead.read(socket.getInputStream());
            int status = head.status();
            try {
                hs.validate(status, head.headers());
            } catch (HandshakeException e) {
                socket.close();
                throw new AssertionError("expected the WebSocket upgrade of " + path + " to succeed, the server answered HTTP "
                        + status + (status == 101 ? ": " + e.getMessage() : ""), e);
            }
            return new MisbehavingPeer(socket, path, timeout, head.leftover());
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // failing anyway
            }
            throw new UncheckedIOException("opening a raw WebSocket to " + path + ": " + e.getMessage(), e);
        }
    }

    /** The socket, for what this class does not cover. */
    public Socket socket() {
        return socket;
    }

    // ---- sending well-formed frames ----

    /** Sends one frame (masked by the engine's writer). */
    public void sendFrame(Frame frame) {
        write(writer.encode(frame));
    }

    public void sendText(String text) {
        sendFrame(Frame.text(text));
    }

    public void sendBinary(byte[] data) {
        sendFrame(Frame.binary(data));
    }

    /** Sends a close frame (RFC 6455 §5.5.1) without waiting for the answer; see {@link #expectClose(int)}. */
    public void sendClose(int code, String reason) {
        sendFrame(Frame.of(OpCode.CLOSE, MessageEncoder.closePayload(code, reason)));
    }

    /** Writes bytes as they are: hand-made frames, unmasked ones, half a header. */
    public void sendRaw(byte[] bytes) {
        write(bytes);
    }

    // ---- misbehaving ----

    /**
     * Stops reading the socket until {@link #resumeReading()}: the server's sends fill this peer's
     * small receive buffer ({@link #RECEIVE_BUFFER}) and its own, then block, and after
     * {@code websocket.write_timeout} fail in the view. Receiving in between is a test error.
     */
    public MisbehavingPeer stopReading() {
        reading = false;
        return this;
    }

    /** Reads again (what the server sent meanwhile is still there, unless it gave up and closed). */
    public MisbehavingPeer resumeReading() {
        reading = true;
        return this;
    }

    /**
     * Never answers a ping from now on (a frozen client, a half-dead mobile link): the server's
     * keepalive ({@code websocket.ping_interval}, {@code websocket.ping_timeout}) should drop the
     * connection with 1011.
     */
    public MisbehavingPeer ignorePings() {
        answerPings = false;
        return this;
    }

    /** Sends a text message that is not valid UTF-8 (RFC 6455 §8.1): the server must close with 1007. */
    public void sendInvalidUtf8() {
        sendFrame(Frame.of(OpCode.TEXT, INVALID_UTF8.clone()));
    }

    /**
     * Sends one text message as {@code fragments} frames of {@code bytesPerFragment} 'a's each
     * (RFC 6455 §5.4), written in large batches. Within the server's limits the view receives one
     * message of {@code fragments * bytesPerFragment} characters; past
     * {@code websocket.max_message_size} the server closes with 1009.
     *
     * @return false if the server closed the connection before every fragment was written
     */
    public boolean sendFragmentStorm(int fragments, int bytesPerFragment) {
        if (fragments < 1 || bytesPerFragment < 0) throw new IllegalArgumentException(fragments + " fragments of " + bytesPerFragment + " bytes");
        byte[] payload = "a".repeat(bytesPerFragment).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuffer batch = ByteBuffer.allocate(Math.max(WRITE_BATCH, FrameWriter.MAX_HEADER_SIZE + bytesPerFragment));
        for (int i = 0; i < fragments; i++) {
            if (batch.remaining() < writer.headerSize(bytesPerFragment) + bytesPerFragment && !flushQuietly(batch)) return false;
            writer.writeFrame(batch, i == fragments - 1, false, i == 0 ? OpCode.TEXT : OpCode.CONTINUATION, payload, 0, payload.length);
        }
        return flushQuietly(batch);
    }

    /**
     * Sends a binary message of {@code length} zero bytes in one frame, streaming its payload.
     * A server whose {@code websocket.max_frame_size} or {@code max_message_size} is smaller
     * closes with 1009, from the frame header alone for a frame over the frame limit.
     *
     * @return false if the server closed the connection before the whole payload was written
     */
    public boolean sendOversized(int length) {
        ByteBuffer batch = ByteBuffer.allocate(WRITE_BATCH);
        writer.writeHeader(batch, true, false, OpCode.BINARY, length);
        byte[] zeros = new byte[WRITE_BATCH];
        while (writer.payloadRemaining() > 0) {
            if (!batch.hasRemaining() && !flushQuietly(batch)) return false;
            writer.writePayload(batch, zeros, 0, batch.remaining());
        }
        return flushQuietly(batch);
    }

    /**
     * Sends the header and the first half of a 1,000-byte binary frame, then resets the TCP
     * connection (SO_LINGER 0: an RST, no FIN, no close frame). The view's WebSocket ends with
     * 1006; nothing else on the server may notice.
     */
    public void resetMidFrame() {
        ByteBuffer half = ByteBuffer.allocate(FrameWriter.MAX_HEADER_SIZE + 500);
        writer.writeHeader(half, true, false, OpCode.BINARY, 1000);
        writer.writePayload(half, new byte[500], 0, 500);
        half.flip();
        write(java.util.Arrays.copyOf(half.array(), half.limit()));
        reset();
    }

    /** Resets the TCP connection now (SO_LINGER 0: an RST instead of a FIN). */
    public void reset() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- receiving ----

    /**
     * The next message from the server, answering pings on the way (unless {@link #ignorePings()}).
     *
     * @throws AssertionError if the server closes first or nothing arrives within the timeout
     */
    public Message receive() {
        while (true) {
            Event e = nextEvent("a message");
            switch (e) {
                case Event.Text t -> { return Message.text(t.text()); }
                case Event.Binary b -> { return Message.binary(b.data()); }
                case Event.Close c -> throw new AssertionError("expected a message on " + path + ", the server closed with "
                        + Describe.close(c.code(), c.reason()));
                default -> { } // ping (answered or not by nextEvent), pong
            }
        }
    }

    /** The next message, which must be text. */
    public String receiveText() {
        Message m = receive();
        if (m instanceof Message.Text t) return t.text();
        throw new AssertionError("expected a text message on " + path + ", got " + Describe.message(m));
    }

    /**
     * Reads until the server's close frame, skipping any messages before it (and answering pings
     * unless {@link #ignorePings()}), asserts its code, answers it (RFC 6455 §5.5.1) and closes the
     * socket.
     *
     * @return the close reason
     * @throws AssertionError with the code that came instead, or if the connection ended without
     *     a close frame (1006) or stayed open past the timeout
     */
    public String expectClose(int code) {
        while (true) {
            Event e;
            try {
                e = nextEvent("close " + code);
            } catch (ConnectionEnded ended) {
                throw new AssertionError("expected close " + Describe.close(code, "") + " on " + path
                        + ", the connection ended without a close frame (1006): " + ended.how);
            }
            if (e instanceof Event.Close c) {
                if (!writeFailed) {
                    try {
                        write(writer.encode(Frame.of(OpCode.CLOSE, c.echoPayload())));
                    } catch (UncheckedIOException alreadyGone) {
                        // the server may close TCP right after its close frame
                    }
                }
                close();
                if (c.code() != code) {
                    throw new AssertionError("expected close " + Describe.close(code, "") + " on " + path + ", the server closed with "
                            + Describe.close(c.code(), c.reason()));
                }
                return c.reason();
            }
        }
    }

    /**
     * Reads until the connection ends, skipping messages (and answering pings unless
     * {@link #ignorePings()}); does not answer a close frame.
     *
     * @return the code of the server's close frame, or 1006 if the connection ended without one
     * @throws AssertionError if it is still open after the timeout
     */
    public int awaitEnd() {
        int code = 1006;
        try {
            while (true) {
                if (nextEvent("the end of the connection") instanceof Event.Close c) code = c.code();
            }
        } catch (ConnectionEnded ended) {
            close();
            return code;
        }
    }

    /** Closes the socket without a closing handshake (a FIN; see {@link #reset()} for an RST). Idempotent. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** The connection ended (EOF or reset) while reading: the peer's reading methods turn it into their own failure. */
    private static final class ConnectionEnded extends AssertionError {
        final String how;

        ConnectionEnded(String expected, String how) {
            super("expected " + expected + ", " + how);
            this.how = how;
        }
    }

    private Event nextEvent(String expected) {
        if (!reading) throw new IllegalStateException("this peer stopped reading; call resumeReading() first");
        while (true) {
            Event e;
            try {
                e = assembler.isClosed() ? null : assembler.next(rx);
            } catch (ProtocolException bad) {
                throw new AssertionError("the server broke the protocol on " + path + ": " + bad.getMessage(), bad);
            }
            if (e != null) {
                if (e instanceof Event.Ping p && answerPings && !writeFailed) write(writer.encode(Frame.of(OpCode.PONG, p.payload())));
                return e;
            }
            fill(expected);
        }
    }

    private void fill(String expected) {
        rx.compact();
        if (!rx.hasRemaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(rx.capacity() * 2);
            rx.flip();
            bigger.put(rx);
            rx = bigger;
        }
        int n;
        try {
            n = in.read(rx.array(), rx.position(), rx.remaining());
        } catch (SocketTimeoutException e) {
            rx.flip();
            throw new AssertionError("expected " + expected + " on " + path + ", nothing arrived within " + Describe.duration(timeout));
        } catch (IOException e) {
            rx.flip();
            throw new ConnectionEnded(expected + " on " + path, "the connection was reset (" + e.getMessage() + ")");
        }
        if (n > 0) rx.position(rx.position() + n);
        rx.flip();
        if (n < 0) throw new ConnectionEnded(expected + " on " + path, "the server closed the TCP connection");
    }

    private void write(byte[] bytes) {
        if (writeFailed) throw new IllegalStateException("an earlier write to " + path + " failed: the server had closed the connection");
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            writeFailed = true;
            throw new UncheckedIOException("writing to " + path + ": " + e.getMessage(), e);
        }
    }

    /** Writes and clears {@code batch}; false if the server has closed the connection. */
    private boolean flushQuietly(ByteBuffer batch) {
        batch.flip();
        try {
            out.write(batch.array(), 0, batch.limit());
            out.flush();
            return true;
        } catch (IOException e) {
            writeFailed = true;
            writer = new FrameWriter(Role.CLIENT, MaskSource.secureRandom()); // the frame it was writing will never end
            return false;
        } finally {
            batch.clear();
        }
    }
}
