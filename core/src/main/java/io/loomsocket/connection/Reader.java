package io.loomsocket.connection;

import io.loomsocket.Message;
import io.loomsocket.engine.CloseCode;
import io.loomsocket.engine.EngineConfig;
import io.loomsocket.engine.Event;
import io.loomsocket.engine.MessageAssembler;
import io.loomsocket.engine.PerMessageDeflate;
import io.loomsocket.engine.ProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * The read side of one connection: transport bytes into the engine's {@link MessageAssembler},
 * events into the connection. It answers pings at once, hands messages to the bounded
 * {@link InboundQueue} and streams a message chunk by chunk when the application waits in
 * {@code receiveStream()}.
 *
 * <h2>Who reads</h2>
 * One thread at a time owns this object; {@link InboundQueue} hands the ownership over (see
 * its "read ownership" section). Usually the owner is the application's own thread waiting in
 * {@code receive()}: it calls {@link #readOnce readOnce(false)}, which reads once and queues what arrived,
 * and needs no second thread (no hand-off per message, one parked thread per idle connection).
 * While the application is away from {@code receive()} (computing, sending, waiting in a timed
 * receive or a stream), a background virtual thread runs {@link #runInBackground()} so pings,
 * the peer's close and backpressure are handled; it retires as soon as a receiver wants to
 * read itself again.
 *
 * <p>Buffers: bytes read but not yet parsed stay in {@link #pending} across owners (a receiver
 * stops parsing when the queue is full). An idle connection reads into a {@value
 * #IDLE_READ_BUFFER}-byte array; a read that fills it switches to the configured read buffer,
 * and a read returning fewer than {@value #IDLE_READ_BUFFER} bytes drops the big one again.
 */
final class Reader {
    /** Read buffer of an idle connection. */
    static final int IDLE_READ_BUFFER = 512;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final WebSocketConnection connection;
    private final MessageAssembler assembler;
    private final InboundQueue queue;
    private final int bigSize;
    private ByteBuffer pending;
    private byte[] small;
    private byte[] big;
    private IncomingStream stream;
    private boolean done;
    /** A receiver stopped at a full queue: the engine may hold events even with nothing pending. */
    private boolean held;

    Reader(WebSocketConnection connection, byte[] leftover, EngineConfig engineConfig, PerMessageDeflate deflate) {
        this.connection = connection;
        this.pending = leftover.length == 0 ? EMPTY : ByteBuffer.wrap(leftover);
        this.queue = connection.queue();
        this.bigSize = connection.config().readBufferSize();
        this.assembler = new MessageAssembler(connection.role(), engineConfig, deflate);
    }

    /** The body of the background reader thread: reads until the connection ends or a receiver takes over. */
    void runInBackground() {
        while (readOnce(true)) {
            if (queue.handOverRead()) {
                connection.watchReading(); // the receiver may have left meanwhile: the watch restarts reading
                return;
            }
        }
    }

    /**
     * One parse-or-read step: parses what is pending, else reads once (blocking) and parses,
     * stopping while the queue is full (the bytes left stay pending). Never blocks on the queue.
     * A receiver reading for itself calls it with {@code background} false, directly: an idle
     * connection's view parks in here, and each frame on its stack is heap kept per connection.
     * Returns false once the connection's read side is finished.
     */
    boolean readOnce(boolean background) {
        if (done) return false;
        IOException error = null;
        try {
            if (!pending.hasRemaining() && !held) {
                InputStream in = connection.transport().input();
                if (small == null) small = new byte[IDLE_READ_BUFFER];
                byte[] b = big != null ? big : small;
                int n = in.read(b, 0, b.length);
                if (n < 0) {
                    finish(null);
                    return false;
                }
                if (big == null && n == b.length && bigSize > IDLE_READ_BUFFER) {
                    big = new byte[bigSize];
                } else if (big != null && n < IDLE_READ_BUFFER) {
                    big = null;
                }
                pending = ByteBuffer.wrap(b, 0, n);
            }
            held = false;
            if (process(background)) return true;
        } catch (IOException e) {
            error = e;
        } catch (InterruptedException e) {
            error = new IOException("reader interrupted", e);
        } catch (RuntimeException e) {
            System.getLogger(Reader.class.getName()).log(System.Logger.Level.ERROR,
                    connection.id() + ": reader failed", e);
            connection.failConnection(CloseCode.INTERNAL_ERROR, "internal error");
        }
        finish(error);
        return false;
    }

    /** The read side is finished (end of stream, I/O error, or the connection failed). */
    private void finish(IOException error) {
        done = true;
        pending = EMPTY;
        small = big = null;
        if (stream != null) stream.fail("connection closed before the message ended");
        connection.onReaderDone(error);
        connection.releaseResources();
    }

    /**
     * Feeds pending bytes to the engine and acts on every event. A receiver ({@code !background})
     * stops while the queue is full, leaving the rest pending; the background reader blocks instead
     * (backpressure). Returns false when reading should stop (the connection failed).
     */
    private boolean process(boolean background) throws InterruptedException {
        ByteBuffer bytes = pending;
        while (true) { // until the engine needs more bytes: it may hold events after the last byte
            if (!background && queue.isFull()) {
                held = true;
                return true;
            }
            // streaming is decided when a message starts: stream it if a receiveStream() is waiting
            assembler.setStreaming(queue.streamWanted());
            Event ev;
            try {
                ev = assembler.next(bytes);
            } catch (ProtocolException e) {
                connection.failConnection(e.closeCode(), e.closeReason());
                return false;
            }
            if (ev == null) {
                // the engine keeps partial frames itself; what it leaves came after the peer's close
                bytes.position(bytes.limit());
                break;
            }
            if (!(ev instanceof Event.Pong)) connection.onPeerActivity(); // proof of life for the keepalive
            switch (ev) {
                case Event.Text t -> queue.put(new Message.Text(t.text()));
                case Event.Binary b -> queue.put(new Message.Binary(b.data()));
                case Event.StreamStart s -> {
                    stream = new IncomingStream(s.text());
                    connection.setCurrentStream(stream);
                    if (connection.closeStarted()) stream.discardWhenFull();
                    if (!queue.put(stream)) stream.close(); // nobody will read it: drop its chunks
                }
                case Event.StreamData d -> stream.offer(d.data());
                case Event.StreamEnd e -> {
                    stream.finish();
                    stream = null;
                    connection.setCurrentStream(null);
                }
                case Event.Ping p -> connection.outbound().pong(p.payload());
                case Event.Pong p -> connection.pings().onPong(p.payload());
                case Event.Close c -> connection.onCloseFrame(c.code(), c.reason());
                case Event.Failure f -> { // the assembler throws instead; only WebSocketProtocol reports it
                    connection.failConnection(f.closeCode(), f.reason());
                    return false;
                }
            }
        }
        return true;
    }
}
