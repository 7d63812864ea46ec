package io.loomsocket.connection;

import io.loomsocket.WebSocket.State;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.WebSocketListener;
import io.loomsocket.engine.CloseCode;
import io.loomsocket.engine.Event;
import io.loomsocket.engine.MessageEncoder;
import io.loomsocket.engine.PerMessageDeflate;
import io.loomsocket.engine.WebSocketProtocol;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The end of one connection (RFC 6455 §7): our {@code close()} with its time limit, the peer's
 * close frame and our echo, failing the connection after the messages before a protocol error,
 * the close timers, and {@link #terminate} (the transport closed, state CLOSED, everything
 * released). The protocol decides the frames and codes; this class decides when the transport
 * closes and who is told.
 *
 * <h2>State</h2>
 * The protocol's state, published into {@link #state} (read without a lock) until the transport
 * is closed; then CLOSED. After both close frames a server closes the TCP connection at once and
 * a client waits up to the close timeout for the server to do it (§7.1.1).
 *
 * <h2>Failing after what came before</h2>
 * When the peer breaks the protocol, the messages complete before the error stay queued and the
 * close frame with the error's code waits until the application has taken them all (its next
 * receive finds the end, {@link #endReached()}) or it closes, so what it sends in answer goes out
 * first; at the latest after the close timeout (§7.1.7). With nothing queued it goes out at once.
 *
 * <h2>Locks</h2>
 * <table>
 *   <caption>who holds what</caption>
 *   <tr><th>field</th><th>guarded by</th></tr>
 *   <tr><td>the protocol, {@link #terminated}, {@link #closeStarted}, {@link #peerFailure},
 *       {@link #closeTimer}, {@link #deflateReleased}</td><td>the connection's lock (never held across I/O or a wait)</td></tr>
 *   <tr><td>{@link #state}</td><td>written under the connection's lock, read without it (volatile)</td></tr>
 * </table>
 * Every method may be called from any thread; {@link #close} and {@link #failConnection} block
 * (writing our close frame, waiting for the peer's), the rest do not. Called under the write lock:
 * {@link #onCloseWritten()} only (the write lock comes before the connection's lock).
 */
final class ClosingHandshake {
    private static final System.Logger LOG = System.getLogger(ClosingHandshake.class.getName());

    private final WebSocketConnection connection;
    private final ReentrantLock lock;
    private final WebSocketProtocol protocol;
    private final Transport transport;
    private final InboundQueue queue;
    private final Reader reader;
    private final Outbound out;
    private final Keepalive keepalive;
    private final PingTracker pings;
    /** The negotiated permessage-deflate, or null: released once neither side can use it. */
    private final PerMessageDeflate deflate;
    private final WebSocketListener listener;
    private final SharedTimers timers;
    private final long closeTimeoutNanos;
    /** Counted down once the transport is closed; made by the first {@link #close} that waits (guarded by lock). */
    private CountDownLatch closedLatch;
    /** {@link #terminate} has done everything it does (guarded by lock): a latch made now is open. */
    private boolean terminateDone;

    /** The protocol's state as last seen, CLOSED once the transport is closed; read without the lock. */
    private volatile State state = State.OPEN;
    // guarded by lock
    private boolean terminated;
    private boolean closeStarted;
    /** The peer broke the protocol: our close frame waits for the application (see the class comment). */
    private Event.Failure peerFailure;
    private Future<?> closeTimer;
    private boolean deflateReleased;

    ClosingHandshake(WebSocketConnection connection, ReentrantLock lock, WebSocketProtocol protocol, Transport transport,
                     InboundQueue queue, Reader reader, Outbound out, Keepalive keepalive, PingTracker pings,
                     PerMessageDeflate deflate, WebSocketListener listener, SharedTimers timers, long closeTimeoutNanos) {
        this.connection = connection;
        this.lock = lock;
        this.protocol = protocol;
        this.transport = transport;
        this.queue = queue;
        this.reader = reader;
        this.out = out;
        this.keepalive = keepalive;
        this.pings = pings;
        this.deflate = deflate;
        this.listener = listener;
        this.timers = timers;
        this.closeTimeoutNanos = closeTimeoutNanos;
    }

    State state() {
        return state;
    }

    /**
     * Runs the closing handshake (RFC 6455 §7.1.2): queues our close frame, writes it, and waits
     * for the peer's close and the end of the transport, all within the close timeout; aborts
     * (1006) when the time is up. Idempotent; a no-op once the transport is closed.
     */
    void close(int code, String reason) {
        MessageEncoder.closePayload(code, reason); // validates code and reason length (RFC 6455 §7.4, §5.5)
        long deadline = System.nanoTime() + closeTimeoutNanos;
        lock.lock();
        try {
            if (terminated) return;
            closeStarted = true;
            protocol.close(code, reason == null ? "" : reason); // a no-op once a close frame is queued
            publishState();
        } finally {
            lock.unlock();
        }
        // we will not read on: never let a full queue keep the reader from seeing the peer's close
        queue.discardWhenFull();
        ReceivePath receiving = connection.receiving();
        receiving.ensureReading();
        IncomingStream s = receiving.currentStream();
        if (s != null) s.discardWhenFull();
        try {
            if (!out.writeAndWait(closeTimeoutNanos)) {
                if (state != State.CLOSED) {
                    LOG.log(System.Logger.Level.DEBUG, "{0}: could not write the close frame in time; aborting", connection.id());
                }
                terminate(CloseCode.ABNORMAL, "close frame could not be sent");
                return;
            }
            if (!closedLatch().await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                terminate(CloseCode.ABNORMAL, "closing handshake timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            terminate(CloseCode.ABNORMAL, "interrupted while closing");
        }
    }

    /** The latch {@link #close} waits on: open until {@link #terminate} has closed the transport. */
    private CountDownLatch closedLatch() {
        lock.lock();
        try {
            if (closedLatch == null) closedLatch = new CountDownLatch(terminateDone ? 0 : 1);
            return closedLatch;
        } finally {
            lock.unlock();
        }
    }

    /** True once {@link #close} was called: a stream that starts now drops what does not fit. */
    boolean closeStarted() {
        lock.lock();
        try {
            return closeStarted;
        } finally {
            lock.unlock();
        }
    }

    /** Copies the protocol's state, unless the transport is closed. Lock held. */
    private void publishState() {
        if (terminated) return;
        switch (protocol.state()) {
            case OPEN -> state = State.OPEN;
            case CLOSING_SENT -> state = State.CLOSING_SENT;
            case CLOSING_RECEIVED -> state = State.CLOSING_RECEIVED;
            case CLOSED -> { } // until the transport is closed, the closing state it came from
        }
    }

    /**
     * The reader received the peer's close frame (RFC 6455 §5.5.1): the protocol queued the echo
     * (before the queue ends, so a view that returns at once cannot get its own close(1000) out
     * first); write it and finish.
     */
    void onCloseFrame() {
        lock.lock();
        try {
            publishState();
        } finally {
            lock.unlock();
        }
        queue.end(); // no data after close (§5.5.1): receivers drain and then see the end
        out.writePending();
        closedMaybe();
    }

    /** Our close frame is on the wire (called under the write lock). */
    void onCloseWritten() {
        lock.lock();
        try {
            publishState();
            if (protocol.state() != WebSocketProtocol.State.CLOSED && closeTimer == null && !terminated) {
                closeTimer = timers.schedule(() -> terminateLater(CloseCode.ABNORMAL, "closing handshake timed out"),
                        closeTimeoutNanos);
            }
        } finally {
            lock.unlock();
        }
        closedMaybe();
    }

    /**
     * Once both close frames are exchanged (or we failed): a server closes TCP now, a client
     * gives the server the close timeout to do it (RFC 6455 §7.1.1; the reader sees the EOF).
     */
    private void closedMaybe() {
        boolean now;
        lock.lock();
        try {
            if (terminated || protocol.state() != WebSocketProtocol.State.CLOSED) return;
            now = protocol.closeTransportNow();
            if (!now && closeTimer == null) {
                closeTimer = timers.schedule(() -> terminateLater(-1, ""), closeTimeoutNanos);
            }
        } finally {
            lock.unlock();
        }
        if (now) terminate(-1, "");
    }

    /**
     * The peer broke the protocol after the events before it (strict delivery). With nothing
     * queued, the application has every message already: fail now. Otherwise the queue ends, and
     * our close frame goes out when a receiver finds the end, the application closes, or the close
     * timeout passes, whichever comes first.
     */
    void onPeerFailure(Event.Failure f) {
        LOG.log(System.Logger.Level.DEBUG, "{0}: the peer broke the protocol: {1} {2}", connection.id(), f.closeCode(), f.reason());
        if (queue.size() == 0) {
            failConnection(f.closeCode(), f.reason());
            return;
        }
        lock.lock();
        try {
            if (terminated) return;
            peerFailure = f;
            if (closeTimer == null) {
                closeTimer = timers.schedule(() -> SharedTimers.runVirtual("loomsocket-fail-" + connection.id(),
                        () -> failConnection(f.closeCode(), f.reason())), closeTimeoutNanos);
            }
        } finally {
            lock.unlock();
        }
        queue.end();
    }

    /**
     * A receiver found the end of the queue: every message before the peer's protocol error was
     * taken, and what the application sent in answer is out, so our close frame follows now.
     */
    void endReached() {
        Event.Failure f;
        lock.lock();
        try {
            f = peerFailure;
        } finally {
            lock.unlock();
        }
        if (f != null) failConnection(f.closeCode(), f.reason());
    }

    /** Fails the connection (RFC 6455 §7.1.7): sends our close frame with {@code code}, then closes TCP. */
    void failConnection(int code, String reason) {
        lock.lock();
        try {
            if (terminated) return;
            protocol.fail(code, reason);
            publishState();
        } finally {
            lock.unlock();
        }
        LOG.log(System.Logger.Level.DEBUG, "{0}: failing the connection: {1} {2}", connection.id(), code, reason);
        queue.end();
        try {
            out.writeAndWait(closeTimeoutNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        terminate(code, reason);
    }

    /**
     * Closes the transport and moves to CLOSED. {@code code} is recorded unless the protocol knows
     * one already; -1 means "whatever is known, else 1006". Idempotent, any thread.
     */
    void terminate(int code, String reason) {
        lock.lock();
        try {
            if (terminated) return;
            terminated = true;
            state = State.CLOSED;
            if (protocol.closeCode() < 0) protocol.fail(code < 0 ? CloseCode.ABNORMAL : code, code < 0 ? "" : reason);
            if (closeTimer != null) closeTimer.cancel(false);
        } finally {
            lock.unlock();
        }
        keepalive.stop();
        out.stop();
        transport.close();
        queue.end();
        IncomingStream s = connection.receiving().currentStream();
        if (s != null) s.fail("connection closed before the message ended");
        pings.closeAll(this::closedException);
        if (reader.isDone()) releaseResources(); // else the reader releases them when it stops
        CountDownLatch latch;
        lock.lock();
        try {
            terminateDone = true;
            latch = closedLatch;
        } finally {
            lock.unlock();
        }
        if (latch != null) latch.countDown();
        if (listener != null) listener.closed(connection, closeCode().orElse(CloseCode.ABNORMAL));
    }

    /** The keepalive's pong did not come: tell the listener, then fail with 1011 (RFC 6455 §7.4.1). */
    void keepaliveTimedOut() {
        if (listener != null) listener.keepaliveTimedOut(connection);
        failConnection(CloseCode.INTERNAL_ERROR, "keepalive ping timeout");
    }

    /**
     * {@link #terminate} from a timer: on a virtual thread, because closing a TLS socket may block
     * (close_notify) and the timer thread must never block.
     */
    void terminateLater(int code, String reason) {
        if (state == State.CLOSED) return;
        SharedTimers.runVirtual("loomsocket-terminate-" + connection.id(), () -> terminate(code, reason));
    }

    /** Releases compression state once neither side can use it (the reader stopped, the transport is closed). */
    void releaseResources() {
        if (deflate == null) return;
        out.writeLock.lock();
        try {
            lock.lock();
            try {
                if (deflateReleased) return;
                deflateReleased = true;
            } finally {
                lock.unlock();
            }
            deflate.close();
        } finally {
            out.writeLock.unlock();
        }
    }

    /** What a sender or a pending ping gets once the connection is closing or closed. */
    WebSocketClosedException closedException() {
        lock.lock();
        try {
            int code = protocol.closeCode();
            return new WebSocketClosedException(code < 0 ? CloseCode.ABNORMAL : code, code < 0 ? "" : protocol.closeReason());
        } finally {
            lock.unlock();
        }
    }

    OptionalInt closeCode() {
        lock.lock();
        try {
            int code = protocol.closeCode();
            return code < 0 ? OptionalInt.empty() : OptionalInt.of(code);
        } finally {
            lock.unlock();
        }
    }

    String closeReason() {
        lock.lock();
        try {
            return protocol.closeCode() < 0 ? "" : protocol.closeReason();
        } finally {
            lock.unlock();
        }
    }
}
