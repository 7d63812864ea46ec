package io.loomsocket.connection;

import io.loomsocket.WebSocketConfig;
import io.loomsocket.WebSocketException;
import io.loomsocket.WebSocketListener;
import io.loomsocket.WebSocketTimeoutException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The application's sends on one connection: whole messages, streamed messages, pings that wait
 * for their pong, unsolicited pongs. It decides who flushes a message (the sender now, the
 * {@link Flusher}, or the receiving thread on its next receive) and hands the frames to
 * {@link Outbound}, which owns the buffer and the transport's output.
 *
 * <h2>Threads and locks</h2>
 * Every method may be called from any thread. A data message holds {@link Outbound#messageLock()}
 * for its whole length (a {@code sendStream} until it is closed), so messages never interleave;
 * a thread that holds an open {@code sendStream} and sends another message gets an
 * {@link IllegalStateException} instead of a deadlock. Pings and pongs take only Outbound's write
 * lock, so they go out between the fragments of a streamed message (RFC 6455 §5.4). No lock of
 * its own.
 */
final class SendPath {
    private final WebSocketConnection connection;
    private final Outbound out;
    private final InboundQueue queue;
    private final ReceivePath receiving;
    private final ClosingHandshake closing;
    private final PingTracker pings;
    private final WebSocketListener listener;
    private final int writeBufferSize;
    private final Duration pingTimeout;

    SendPath(WebSocketConnection connection, Outbound out, InboundQueue queue, ReceivePath receiving,
             ClosingHandshake closing, PingTracker pings, WebSocketConfig config) {
        this.connection = connection;
        this.out = out;
        this.queue = queue;
        this.receiving = receiving;
        this.closing = closing;
        this.pings = pings;
        this.listener = config.listener();
        this.writeBufferSize = config.writeBufferSize();
        this.pingTimeout = config.pingTimeout();
    }

    /** Sends a whole message: {@link Outbound.Kind#TEXT} with {@code text}, or {@link Outbound.Kind#BINARY} with the slice. */
    void sendData(Outbound.Kind kind, String text, byte[] b, int off, int len) {
        checkNoOpenStream();
        int bytes;
        out.messageLock().lock();
        try {
            // the thread that receives has more received messages to handle: it will be back at once
            // (a send from any other thread cannot know what its thread does next: flush now).
            // If that thread also reads the socket itself, it flushes on its next receive.
            Outbound.FlushBy flushBy = Outbound.FlushBy.NOW;
            if (Thread.currentThread() == receiving.receiver() && queue.size() > 0) {
                flushBy = queue.receiverReads() ? Outbound.FlushBy.RECEIVER : Outbound.FlushBy.FLUSHER;
            }
            bytes = out.data(kind, text, b, off, len, true, flushBy);
            // the watch may have let go meanwhile (its tick flushes only what it saw): hand over
            if (flushBy == Outbound.FlushBy.RECEIVER && !queue.receiverReads()) out.deferFlush();
        } finally {
            out.messageLock().unlock();
        }
        if (listener != null) listener.sent(connection, text != null, bytes);
    }

    private void checkNoOpenStream() {
        if (out.holdsMessageLock()) {
            throw new IllegalStateException("this thread has an open sendStream(); close it before sending another message");
        }
    }

    /** Opens a streamed message; it holds the message lock until the stream is closed. */
    OutputStream sendStream(boolean text) {
        checkNoOpenStream();
        if (out.isShut()) throw closing.closedException();
        out.messageLock().lock();
        return new OutgoingStream(out, text, writeBufferSize);
    }

    /** Pings and waits up to the ping timeout for the matching pong; returns the round trip. */
    Duration ping() {
        PingTracker.Pending p = pings.register();
        receiving.ensureReading(); // the pong must be read even if the application does not receive
        try {
            out.ping(p.payload());
        } catch (RuntimeException e) {
            pings.forget(p);
            throw e;
        }
        try {
            return p.rtt().get(pingTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pings.forget(p);
            throw new WebSocketTimeoutException("no pong within " + pingTimeout);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new WebSocketException("ping failed", e.getCause());
        } catch (InterruptedException e) {
            pings.forget(p);
            Thread.currentThread().interrupt();
            throw new WebSocketException("interrupted while waiting for a pong", e);
        }
    }

    /** An unsolicited pong (RFC 6455 §5.5.3: a heartbeat), written at once. */
    void pong(byte[] payload) {
        if (payload.length > 125) {
            throw new IllegalArgumentException("a pong payload is at most 125 bytes (RFC 6455 §5.5), got " + payload.length);
        }
        out.pongNow(payload);
    }
}
