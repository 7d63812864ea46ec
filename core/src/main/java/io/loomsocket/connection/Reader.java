package io.loomsocket.connection;

import io.loomsocket.Message;
import io.loomsocket.engine.Event;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * The read side of one connection: transport bytes into the connection's protocol
 * ({@link Events#parse}), events out. It hands messages to the bounded {@link InboundQueue},
 * streams a message chunk by chunk when the application waits in {@code receiveStream()}, and
 * reports the rest (pings, pongs, the peer's close, a protocol failure, the end of the stream)
 * to its owner through {@link Events}.
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
 * #IDLE_READ_BUFFER}-byte array: its view parks in that read, holding the array, for as long as
 * the connection idles. A read that fills its array switches to one {@value #GROWTH} times larger,
 * up to the configured read buffer size; a read returning fewer than {@value #IDLE_READ_BUFFER}
 * bytes drops the larger one again.
 */
final class Reader {
    /** Read buffer of an idle connection. */
    static final int IDLE_READ_BUFFER = 128;
    /** How much larger the next read buffer is after a read filled the current one. */
    static final int GROWTH = 16;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** What the reader needs from its connection. */
    interface Events {
        /** Feeds bytes to the protocol: the next event, or null when it needs more bytes. */
        Event parse(ByteBuffer bytes, boolean streaming);

        /** A frame other than a pong arrived: the peer is alive. */
        void onPeerActivity();

        /** A ping arrived: the protocol queued its pong, write it. */
        void onPing();

        void onPong(byte[] payload);

        /** The peer's close frame arrived (the protocol queued the echo). */
        void onClose();

        /** The peer broke the protocol; nothing more is read. */
        void onFailure(Event.Failure failure);

        /** A streamed message starts ({@code s}) or ends (null). */
        void onStream(IncomingStream s);

        /** The stream ended or failed ({@code error}): the connection is over. */
        void onEnd(IOException error);

        /** The read side stopped for good: resources only it used may go. */
        void onStopped();

        /** A bug: the connection fails with 1011. */
        void onCrash(RuntimeException e);

        /** Nobody reads now: have {@link ReadWatch} watch the connection. */
        void watchReading();
    }

    private final Transport transport;
    private final InboundQueue queue;
    private final Events events;
    private final int bigSize;
    private ByteBuffer pending;
    private byte[] small;
    private byte[] big;
    private IncomingStream stream;
    private volatile boolean done;
    /** A receiver stopped at a full queue: the engine may hold events even with nothing pending. */
    private boolean held;

    Reader(Transport transport, InboundQueue queue, byte[] leftover, int readBufferSize, Events events) {
        this.transport = transport;
        this.queue = queue;
        this.events = events;
        this.pending = leftover.length == 0 ? EMPTY : ByteBuffer.wrap(leftover);
        this.bigSize = readBufferSize;
    }

    /** The size of the array the next read goes into, 0 when none is held (for tests). */
    int readBufferCapacity() {
        byte[] b = big != null ? big : small;
        return b == null ? 0 : b.length;
    }

    /** True once the read side stopped for good. */
    boolean isDone() {
        return done;
    }

    /** The body of the background reader thread: reads until the connection ends or a receiver takes over. */
    void runInBackground() {
        while (readOnce(true)) {
            if (queue.handOverRead()) {
                events.watchReading(); // the receiver may have left meanwhile: the watch restarts reading
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
                InputStream in = transport.input();
                if (small == null) small = new byte[IDLE_READ_BUFFER];
                byte[] b = big != null ? big : small;
                int n = in.read(b, 0, b.length);
                if (n < 0) {
                    finish(null);
                    return false;
                }
                if (n == b.length && b.length < bigSize) {
                    big = new byte[Math.min(bigSize, b.length * GROWTH)];
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
            stop();
            events.onCrash(e);
            return false;
        }
        if (done) return false; // the peer broke the protocol: the connection fails when the application is ready
        finish(error);
        return false;
    }

    /** The read side is finished (end of stream, I/O error, or the connection failed). */
    private void finish(IOException error) {
        stop();
        events.onEnd(error);
        events.onStopped();
    }

    private void stop() {
        done = true;
        pending = EMPTY;
        small = big = null;
        if (stream != null) stream.fail("connection closed before the message ended");
    }

    /**
     * Feeds pending bytes to the engine and acts on every event. A receiver ({@code !background})
     * stops while the queue is full, leaving the rest pending; the background reader blocks instead
     * (backpressure). Returns false when reading should stop (the connection failed).
     */
    private boolean process(boolean background) throws InterruptedException {
        ByteBuffer bytes = pending;
        boolean alive = false;
        while (true) { // until the engine needs more bytes: it may hold events after the last byte
            if (!background && queue.isFull()) {
                held = true;
                return true;
            }
            // streaming is decided when a message starts: stream it if a receiveStream() is waiting
            Event ev = events.parse(bytes, queue.streamWanted());
            if (ev == null) break; // the protocol keeps partial frames itself
            if (!alive && !(ev instanceof Event.Pong)) { // proof of life for the keepalive, once per batch
                alive = true;
                events.onPeerActivity();
            }
            switch (ev) {
                case Event.Text t -> queue.put(new InboundQueue.Whole(new Message.Text(t.text()), t.length()));
                case Event.Binary b -> queue.put(new InboundQueue.Whole(new Message.Binary(b.data()), b.data().length));
                case Event.StreamStart s -> {
                    stream = new IncomingStream(s.text());
                    events.onStream(stream);
                    if (!queue.put(stream)) stream.close(); // nobody will read it: drop its chunks
                }
                case Event.StreamData d -> stream.offer(d.data());
                case Event.StreamEnd e -> {
                    stream.finish();
                    stream = null;
                    events.onStream(null);
                }
                case Event.Ping p -> events.onPing();
                case Event.Pong p -> events.onPong(p.payload());
                case Event.Close c -> events.onClose();
                case Event.Failure f -> {
                    stop();
                    events.onFailure(f);
                    return false;
                }
            }
        }
        return true;
    }
}
