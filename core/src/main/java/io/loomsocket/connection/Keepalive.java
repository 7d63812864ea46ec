package io.loomsocket.connection;

import io.loomsocket.WebSocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keepalive pings (RFC 6455 §5.5.2) of one connection: every {@code pingInterval} the runtime's timer
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
 *
 * <p>Threads: {@link #start()} and {@link #stop()} from any thread; the tick runs on the
 * runtime's timer thread and pings from a virtual thread of its own.
 */
final class Keepalive implements Callable<Void> {
    private static final System.Logger LOG = System.getLogger(Keepalive.class.getName());

    /** What the keepalive needs from its connection. */
    interface Target {
        /** True while the connection is OPEN (no ping once closing). */
        boolean isOpen();

        /** Pings and waits for the pong. @throws WebSocketTimeoutException if none came within the ping timeout */
        Duration ping();

        /** System.nanoTime() of the peer's last frame other than a pong. */
        long lastActivityNanos();

        /**
         * True if our side is late, not the peer: bytes wait unread in our socket buffer (perhaps
         * the pong), or our queue is full so the reader stopped.
         */
        boolean readerBehind();

        /** Pongs that answered our pings so far (for the log). */
        long pongsAnswered();

        /** The pong did not come: fail the connection with 1011 (RFC 6455 §7.4.1). */
        void timedOut();

        String id();
    }

    private final Target connection;
    private final SharedTimers timers;
    private final long intervalNanos;
    /** The connection's lock: guards {@link #next} and {@link #stopped} (never held while pinging). */
    private final ReentrantLock lock;
    private final long createdNanos = System.nanoTime();
    private Future<?> next;
    private boolean stopped;

    /**
     * @param interval time between pings; zero turns keepalive off
     * @param lock     the connection's lock
     */
    Keepalive(Target connection, Duration interval, SharedTimers timers, ReentrantLock lock) {
        this.connection = connection;
        this.lock = lock;
        this.timers = timers;
        this.intervalNanos = interval.toNanos();
    }

    /** Schedules the next ping, unless keepalive is off or stopped. */
    void start() {
        if (intervalNanos == 0) return;
        lock.lock();
        try {
            if (!stopped) next = timers.schedule(this, intervalNanos);
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

    /**
     * On the timer thread: ping from a virtual thread (sending may block), then schedule the next.
     * This object is the timer's task itself (a Callable: the timer wraps a Runnable in one more
     * object), so a connection's keepalive costs the timer's own task object only.
     */
    @Override
    public Void call() {
        tick();
        return null;
    }

    private void tick() {
        if (!connection.isOpen()) return;
        SharedTimers.runVirtual("loomsocket-keepalive-" + connection.id(), () -> {
            long sent = System.nanoTime();
            try {
                connection.ping();
            } catch (WebSocketTimeoutException e) {
                if (connection.lastActivityNanos() - sent > 0) {
                    LOG.log(System.Logger.Level.DEBUG, "{0}: keepalive pong late, but the peer sent data meanwhile", connection.id());
                } else if (connection.readerBehind()) {
                    LOG.log(System.Logger.Level.DEBUG, "{0}: keepalive pong late, but our reader is behind", connection.id());
                } else {
                    LOG.log(System.Logger.Level.DEBUG, "{0}: keepalive ping timed out (open {1} ms, pongs so far {2})",
                            connection.id(), (System.nanoTime() - createdNanos) / 1_000_000, connection.pongsAnswered());
                    connection.timedOut();
                    return;
                }
            } catch (RuntimeException e) {
                return; // closed meanwhile
            }
            start();
        });
    }
}
