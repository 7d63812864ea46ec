package io.loomsocket.connection;

import io.loomsocket.Message;
import io.loomsocket.engine.EngineConfig;
import io.loomsocket.engine.Event;
import io.loomsocket.engine.MessageAssembler;
import io.loomsocket.engine.PerMessageDeflate;
import io.loomsocket.engine.ProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * The reader of one connection, run on its own virtual thread: transport bytes into the engine's
 * {@link MessageAssembler}, events into the connection. It answers pings at once, hands messages
 * to the bounded queue (blocking when it is full: backpressure) and streams a message chunk by
 * chunk when the application waits in {@code receiveStream()}.
 *
 * <p>Memory: an idle connection blocks in {@code read} on a {@value #IDLE_READ_BUFFER}-byte
 * array; a read that fills it switches to the configured read buffer, and a read returning
 * fewer than {@value #IDLE_READ_BUFFER} bytes (traffic slowed down) drops the big one again.
 */
final class Reader implements Runnable {
    /** Read buffer of an idle connection. */
    static final int IDLE_READ_BUFFER = 512;

    private final WebSocketConnection connection;
    private final byte[] leftover;
    private final MessageAssembler assembler;
    private final InboundQueue queue;
    private IncomingStream stream;

    Reader(WebSocketConnection connection, byte[] leftover, EngineConfig engineConfig, PerMessageDeflate deflate) {
        this.connection = connection;
        this.leftover = leftover;
        this.queue = connection.queue();
        this.assembler = new MessageAssembler(connection.role(), engineConfig, deflate);
    }

    @Override
    public void run() {
        IOException error = null;
        try {
            InputStream in = connection.transport().input();
            if (leftover.length == 0 || process(ByteBuffer.wrap(leftover))) {
                byte[] small = new byte[IDLE_READ_BUFFER];
                byte[] big = null;
                int bigSize = connection.config().readBufferSize();
                while (true) {
                    byte[] b = big != null ? big : small;
                    int n = in.read(b);
                    if (n < 0) break;
                    if (big == null && n == b.length && bigSize > IDLE_READ_BUFFER) {
                        big = new byte[bigSize];
                    } else if (big != null && n < IDLE_READ_BUFFER) {
                        big = null;
                    }
                    if (!process(ByteBuffer.wrap(b, 0, n))) break;
                }
            }
        } catch (IOException e) {
            error = e;
        } catch (InterruptedException e) {
            error = new IOException("reader interrupted", e);
        } catch (RuntimeException e) {
            System.getLogger(Reader.class.getName()).log(System.Logger.Level.ERROR,
                    connection.id() + ": reader failed", e);
            connection.failConnection(io.loomsocket.engine.CloseCode.INTERNAL_ERROR, "internal error");
        } finally {
            if (stream != null) stream.fail("connection closed before the message ended");
            connection.onReaderDone(error);
            connection.releaseResources();
        }
    }

    /**
     * Feeds bytes to the engine and acts on every event. Returns false when reading should stop
     * (the connection failed).
     */
    private boolean process(ByteBuffer bytes) throws InterruptedException {
        while (true) {
            // streaming is decided when a message starts: stream it if a receiveStream() is waiting
            assembler.setStreaming(queue.streamWanted());
            Event ev;
            try {
                ev = assembler.next(bytes);
            } catch (ProtocolException e) {
                connection.failConnection(e.closeCode(), e.closeReason());
                return false;
            }
            if (ev == null) return true;
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
            }
        }
    }
}
