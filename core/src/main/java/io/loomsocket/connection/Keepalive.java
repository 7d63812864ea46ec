package io.loomsocket.connection;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketTimeoutException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keepalive pings (RFC 6455 §5.5.2) of one connection: every {@code pingInterval} the shared timer
 * starts a virtual thread that pings and waits up to {@code pingTimeout} for the pong; a peer that
 * does not answer is failed with 1011. No ping overlaps the previous one.
 *
 * <p>The point is to find dead peers (half-open TCP, a frozen process), so a late pong alone is
 * not enough to drop a connection:
 * <ul>
 *   <li>frames that arrived after the ping was sent prove the peer alive (any but a pong: a pong
 *       that does not match our ping is not its answer, RFC 6455 §5.5.3). Its pong can be late
 *       without the peer being dead: the pong travels behind the peer's data, and a peer whose
 *       application is slow to take our messages stops reading (its backpressure), so our ping
 *       waits in its socket buffer behind them (bugs.md B4: seen with 10,000 connections on a
 *       loaded 2-core box while the peer kept sending);</li>
 *   <li>bytes waiting unread in our socket buffer, or our own queue being full, are not the
 *       peer's fault: our reader is late (this process stalled, e.g. in a safepoint or a thread
 *       dump of 20,000 threads, or we stopped reading), and the pong may be among them.</li>
 * </ul>
 * In both cases the next ping follows after {@code pingInterval}.
 */
final class Keepalive {
    private static final System.Logger LOG = System.getLogger(Keepalive.class.getName());

    private final WebSocketConnection connection;
    private final ReentrantLock lock = new ReentrantLock();
    private final long createdNanos = System.nanoTime();
    private ScheduledFuture<?> next;
    private boolean stopped;

    Keepalive(WebSocketConnection connection) {
        this.connection = connection;
    }

    /** Schedules the next ping, unless keepalive is off or stopped. */
    void start() {
        long interval = connection.config().pingInterval().toNanos();
        if (interval == 0) return;
        lock.lock();
        try {
            if (!stopped) next = SharedTimers.schedule(this::tick, interval);
        } finally {
            lock.unlock();
        }
    }

    /** The connection closed: no more pings. */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            if (next != null) next.cancel(false);
        } finally {
            lock.unlock();
        }
    }

    /** On the timer thread: ping from a virtual thread (sending may block), then schedule the next. */
    private void tick() {
        if (connection.state() != WebSocket.State.OPEN) return;
        SharedTimers.runVirtual("loomsocket-keepalive-" + connection.id(), () -> {
            long sent = System.nanoTime();
            try {
                connection.ping();
            } catch (WebSocketTimeoutException e) {
                if (connection.lastActivityNanos() - sent > 0) {
                    LOG.log(System.Logger.Level.DEBUG, "{0}: keepalive pong late, but the peer sent data meanwhile", connection.id());
                } else if (unreadBytesWaiting()) {
                    LOG.log(System.Logger.Level.DEBUG, "{0}: keepalive pong late, but bytes are waiting that we have not read yet",
                            connection.id());
                } else if (!connection.queue().producerBlocked()) {
                    LOG.log(System.Logger.Level.DEBUG, "{0}: keepalive ping timed out (open {1} ms, pongs so far {2})",
                            connection.id(), (System.nanoTime() - createdNanos) / 1_000_000, connection.pings().answered());
                    connection.keepaliveTimedOut();
                    return;
                }
            } catch (RuntimeException e) {
                return; // closed meanwhile
            }
            start();
        });
    }

    /**
     * True if the peer's bytes (perhaps its pong) wait in our socket buffer: our own reader is
     * late (this process stalled, or its queue is full), not the peer. {@code available()} of a
     * socket's stream asks the kernel (FIONREAD) without waiting for the reader; over TLS it sees
     * only decrypted bytes, so there it may say 0 and the other checks decide.
     */
    private boolean unreadBytesWaiting() {
        try {
            return connection.transport().input().available() > 0;
        } catch (java.io.IOException | RuntimeException e) {
            return false; // closed: the ping's failure path handles it
        }
    }
}
