package io.loomsocket.channels;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketException;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A connection's bounded outbox, drained by its own virtual thread: senders only enqueue (never
 * wait on the socket), and the drainer alone calls the blocking {@link WebSocket#send(Message)}.
 * Holds at most {@code capacity} queued messages plus the one being written.
 */
final class Outbox {
    private static final System.Logger LOG = System.getLogger(Outbox.class.getName());

    /** What {@link #offer} did with a message. */
    enum Offer { QUEUED, QUEUED_DROPPED_OLDEST, OVERFLOW_CLOSED, SHUT }

    /** Told when the drainer found the connection closed, or the overflow policy closed it. */
    interface Listener {
        void connectionGone();
    }

    private final WebSocket ws;
    private final int capacity;
    private final OverflowPolicy policy;
    private final Listener listener;
    private final Counters counters;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private final ArrayDeque<Message> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private boolean shut; // guarded by lock
    private final Thread drainer;

    Outbox(WebSocket ws, int capacity, OverflowPolicy policy, String name, Counters counters, Listener listener) {
        this.ws = ws;
        this.counters = counters;
        this.capacity = capacity;
        this.policy = policy;
        this.listener = listener;
        this.queue = new ArrayDeque<>(Math.min(capacity, 16));
        this.drainer = Thread.ofVirtual().name("loomsocket-outbox-" + name).unstarted(this::drain);
    }

    void start() { drainer.start(); }

    /** Enqueues without waiting: applies the overflow policy when full. Safe from any thread. */
    Offer offer(Message m) {
        boolean closeNow = false;
        Offer result;
        lock.lock();
        try {
            if (shut) return Offer.SHUT;
            if (queue.size() < capacity) {
                queue.addLast(m);
                if (queue.size() == 1) ready.signal(); // the drainer waits only on an empty queue
                result = Offer.QUEUED;
            } else if (policy == OverflowPolicy.DROP_OLDEST) {
                queue.pollFirst();
                queue.addLast(m);
                dropped.incrementAndGet();
                counters.dropped.increment();
                result = Offer.QUEUED_DROPPED_OLDEST;
            } else {
                dropped.addAndGet(queue.size() + 1L);
                counters.dropped.add(queue.size() + 1L);
                counters.overflowClosed.increment();
                queue.clear();
                shut = true;
                closeNow = true;
                result = Offer.OVERFLOW_CLOSED;
                ready.signal();
            }
        } finally {
            lock.unlock();
        }
        if (closeNow) {
            // close() runs the closing handshake and may wait up to the close timeout: not on the sender's thread
            Thread.ofVirtual().name("loomsocket-outbox-close").start(() -> {
                try {
                    ws.close(policy.closeCode(), "outbox full");
                } catch (RuntimeException e) {
                    LOG.log(Level.DEBUG, "closing an overflowing connection failed", e);
                }
                listener.connectionGone();
            });
        }
        return result;
    }

    /** Stops taking messages; the drainer writes what is queued (unless {@code discard}) and ends. */
    void shut(boolean discard) {
        lock.lock();
        try {
            shut = true;
            if (discard) {
                dropped.addAndGet(queue.size());
                counters.dropped.add(queue.size());
                queue.clear();
            }
            ready.signal();
        } finally {
            lock.unlock();
        }
    }

    long dropped() { return dropped.get(); }

    long sent() { return sent.get(); }

    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    private void drain() {
        while (true) {
            Message m;
            lock.lock();
            try {
                while (queue.isEmpty() && !shut) ready.awaitUninterruptibly();
                m = queue.pollFirst();
            } finally {
                lock.unlock();
            }
            if (m == null) return; // shut and drained
            try {
                ws.send(m);
                sent.incrementAndGet();
                counters.sent.increment();
            } catch (WebSocketException | IllegalStateException e) {
                dropped.incrementAndGet();
                counters.dropped.increment();
                if (ws.isClosed() || ws.state() != WebSocket.State.OPEN) {
                    shut(true);
                    listener.connectionGone();
                    return;
                }
                LOG.log(Level.WARNING, "channel layer: send to " + ws.id() + " failed; message dropped", e);
            }
        }
    }
}
