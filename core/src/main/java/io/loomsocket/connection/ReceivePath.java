package io.loomsocket.connection;

import io.loomsocket.Message;
import io.loomsocket.WebSocket.MessageStream;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.WebSocketException;
import io.loomsocket.WebSocketListener;
import io.loomsocket.WebSocketTimeoutException;
import io.loomsocket.engine.CloseCode;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * The application's receives on one connection: takes messages from the bounded
 * {@link InboundQueue} and decides who reads the transport meanwhile. An untimed whole-message
 * {@code receive()} reads on its own thread when nobody else does (one parked virtual thread per
 * idle connection, no hand-off per message); any other wait makes sure the background
 * {@link Reader} runs, and a connection nobody reads is handed to its runtime's {@link ReadWatch}.
 * Before it blocks, a receiver writes out what its own sends left buffered ({@link Outbound}).
 *
 * <h2>Threads and locks</h2>
 * Receiving is for one thread at a time (the view's); {@link #ensureReading()},
 * {@link #watchReading()} and {@link #startBackgroundReader()} may be called from any thread. This
 * class holds no lock of its own: the queue's lock guards the items and the read ownership.
 * {@link #receiver} and {@link #currentStream} are volatile, written by the receiver and the reader
 * respectively, read by senders and the {@link ClosingHandshake}.
 */
final class ReceivePath {
    private final WebSocketConnection connection;
    private final InboundQueue queue;
    private final Reader reader;
    private final Outbound out;
    private final ClosingHandshake closing;
    private final ReadWatch readWatch;
    private final WebSocketListener listener;
    private final int maxMessageSize;

    /** The thread that last received (the view's): its sends may be coalesced with the next ones. */
    private volatile Thread receiver;
    /** The message being streamed to the application, or null. */
    private volatile IncomingStream currentStream;

    ReceivePath(WebSocketConnection connection, InboundQueue queue, Reader reader, Outbound out,
                ClosingHandshake closing, ReadWatch readWatch, WebSocketConfig config) {
        this.connection = connection;
        this.queue = queue;
        this.reader = reader;
        this.out = out;
        this.closing = closing;
        this.readWatch = readWatch;
        this.listener = config.listener();
        this.maxMessageSize = config.maxMessageSize();
    }

    Optional<Message> receive() {
        return toMessage(next(-1, false));
    }

    Optional<Message> receive(Duration timeout) {
        long nanos = Math.max(0, timeout.toNanos());
        InboundQueue.Take item = next(nanos, false);
        if (item == InboundQueue.Signal.EMPTY) {
            throw new WebSocketTimeoutException("no message within " + timeout);
        }
        return toMessage(item);
    }

    Optional<Message> read() {
        receiver = Thread.currentThread();
        ensureReading();
        InboundQueue.Take item = queue.poll();
        return item == InboundQueue.Signal.EMPTY ? Optional.empty() : toMessage(item);
    }

    int countMessages() {
        ensureReading();
        return queue.size();
    }

    Optional<MessageStream> receiveStream() {
        return switch (next(-1, true)) {
            case IncomingStream s -> {
                if (listener != null) listener.received(connection, s.isText(), -1);
                yield Optional.of(s);
            }
            case InboundQueue.Whole w -> {
                if (listener != null) listener.received(connection, w.message().isText(), w.length());
                yield Optional.of(IncomingStream.ofComplete(w.message().isText(), w.message().bytes()));
            }
            case InboundQueue.Signal s -> {
                closing.endReached();
                yield Optional.empty();
            }
        };
    }

    /**
     * Takes the next queue item; flushes our buffered frames first if we are about to block. An
     * untimed whole-message receive reads the transport on this thread when nobody else does
     * (see {@link Reader}); any other wait makes sure the background reader runs.
     */
    private InboundQueue.Take next(long nanos, boolean wantStream) {
        receiver = Thread.currentThread();
        InboundQueue.Take item = queue.poll();
        if (item != InboundQueue.Signal.EMPTY) {
            out.flushIfStale();
            return item;
        }
        out.flushIfIdle();
        boolean mayReadHere = nanos < 0 && !wantStream;
        long deadline = nanos < 0 ? 0 : System.nanoTime() + nanos;
        try {
            while (true) {
                if (Thread.interrupted()) throw new InterruptedException();
                long left = nanos < 0 ? -1 : Math.max(0, deadline - System.nanoTime());
                item = queue.takeOrRead(left, wantStream, mayReadHere);
                switch (item) {
                    case InboundQueue.Signal.START_READER -> startBackgroundReader();
                    case InboundQueue.Signal.READ_HERE -> {
                        try {
                            reader.readOnce(false);
                        } finally {
                            if (queue.readDone()) readWatch.add(this);
                        }
                    }
                    default -> {
                        return item;
                    }
                }
            }
        } catch (InterruptedException e) {
            // the same in every read mode: a receiver reading the socket itself has it closed by the
            // interrupt (a virtual thread's blocking socket read); one waiting for the queue aborts here
            connection.abort();
            Thread.currentThread().interrupt();
            throw new WebSocketException("interrupted while waiting for a message", e);
        }
    }

    /** Nobody reads now: hands the connection to {@link ReadWatch} unless it holds it already. */
    void watchReading() {
        if (queue.watch()) readWatch.add(this);
    }

    /** Starts the background reader if nobody reads (for waits that cannot read themselves). */
    void ensureReading() {
        if (queue.claimBackground()) startBackgroundReader();
    }

    /** Starts the background reader thread; the caller claimed the reader for it. */
    void startBackgroundReader() {
        Thread.ofVirtual().name("loomsocket-reader-" + connection.id()).start(reader::runInBackground);
    }

    private Optional<Message> toMessage(InboundQueue.Take item) {
        switch (item) {
            case InboundQueue.Whole w -> {
                if (listener != null) listener.received(connection, w.message().isText(), w.length());
                return Optional.of(w.message());
            }
            case InboundQueue.Signal s -> {
                closing.endReached();
                return Optional.empty();
            }
            case IncomingStream s -> {
                // a message that was meant for receiveStream() but is received whole: bounded by maxMessageSize
                try {
                    Message m = s.readWhole(maxMessageSize);
                    if (m != null) {
                        if (listener != null) listener.received(connection, m.isText(), m.length());
                        return Optional.of(m);
                    }
                } catch (IOException e) {
                    return Optional.empty(); // the connection closed in the middle of it
                }
                closing.close(CloseCode.MESSAGE_TOO_BIG, "message too big");
                throw new WebSocketException("message over maxMessageSize (" + maxMessageSize
                        + " bytes); use receiveStream() for it");
            }
        }
    }

    /** The reader starts streaming a message ({@code s}) or finished one (null). */
    void onStream(IncomingStream s) {
        currentStream = s;
        if (s != null && closing.closeStarted()) s.discardWhenFull();
    }

    IncomingStream currentStream() {
        return currentStream;
    }

    /** The thread that last received, or null. */
    Thread receiver() {
        return receiver;
    }

    /** For {@link ReadWatch}. */
    InboundQueue queue() {
        return queue;
    }

    /** For {@link ReadWatch}: the tick flushes what a stalled receiver left buffered. */
    Outbound outbound() {
        return out;
    }
}
