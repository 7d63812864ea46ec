package io.loomsocket.connection;

import io.loomsocket.WebSocketClosedException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Pings in flight and their pongs. Each ping carries an 8-byte counter as payload. A pong that
 * matches one of them completes it and every older one: RFC 6455 §5.5.3 lets a peer answer only
 * the most recent of several pings. Unmatched pongs are unsolicited heartbeats and are ignored.
 *
 * <p>Thread-safe: guarded by the connection's lock (its critical sections are short and never
 * wait; a lock of its own cost every connection one more lock object for no concurrency gained).
 */
final class PingTracker {
    /** Pings that may wait for a pong at once (concurrent {@code ping()} calls plus keepalive). */
    static final int MAX_IN_FLIGHT = 64;

    record Pending(byte[] payload, long sentNanos, CompletableFuture<Duration> rtt) {}

    /** The connection's lock: guards the fields below. */
    private final ReentrantLock lock;
    /** The pings waiting for a pong, oldest first; null while none does (an idle connection's usual state). */
    private ArrayDeque<Pending> pending;
    private long counter;
    private long answered;
    /** Set once the connection closed: makes the exception new pings fail with. */
    private Supplier<WebSocketClosedException> closed;

    /** @param lock the connection's lock (it guards this tracker too) */
    PingTracker(ReentrantLock lock) {
        this.lock = lock;
    }

    /** Registers a new ping; the caller sends {@code payload()} and then stamps nothing more. */
    Pending register() {
        lock.lock();
        try {
            if (closed != null) throw closed.get();
            if (pending == null) pending = new ArrayDeque<>(2);
            if (pending.size() >= MAX_IN_FLIGHT) {
                throw new IllegalStateException("more than " + MAX_IN_FLIGHT + " pings waiting for a pong");
            }
            long n = ++counter;
            byte[] payload = new byte[8];
            for (int i = 7; i >= 0; i--) {
                payload[i] = (byte) n;
                n >>>= 8;
            }
            Pending p = new Pending(payload, System.nanoTime(), new CompletableFuture<>());
            pending.addLast(p);
            return p;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets a ping that timed out or could not be sent. */
    void forget(Pending p) {
        lock.lock();
        try {
            if (pending != null && pending.remove(p) && pending.isEmpty()) pending = null;
        } finally {
            lock.unlock();
        }
    }

    /** A pong arrived: completes the matching ping and all older ones. */
    void onPong(byte[] payload) {
        long now = System.nanoTime();
        lock.lock();
        try {
            if (pending == null) return;
            boolean match = false;
            for (Pending p : pending) {
                if (Arrays.equals(p.payload, payload)) {
                    match = true;
                    break;
                }
            }
            if (!match) return;
            answered++;
            for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                it.remove();
                p.rtt.complete(Duration.ofNanos(now - p.sentNanos));
                if (Arrays.equals(p.payload, payload)) break;
            }
            if (pending.isEmpty()) pending = null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The connection closed: every waiting ping fails with an exception from {@code closed}, and new
     * ones too. Nothing is made when no ping waits (a stack trace per closed connection is not free).
     */
    void closeAll(Supplier<WebSocketClosedException> closed) {
        lock.lock();
        try {
            if (this.closed == null) this.closed = closed;
            if (pending == null) return;
            WebSocketClosedException e = closed.get();
            for (Pending p : pending) p.rtt.completeExceptionally(e);
            pending = null;
        } finally {
            lock.unlock();
        }
    }

    /** Pongs that answered one of our pings so far. */
    long answered() {
        lock.lock();
        try {
            return answered;
        } finally {
            lock.unlock();
        }
    }

    /** The oldest ping still waiting, or null. */
    Pending oldest() {
        lock.lock();
        try {
            return pending == null ? null : pending.peekFirst();
        } finally {
            lock.unlock();
        }
    }
}
