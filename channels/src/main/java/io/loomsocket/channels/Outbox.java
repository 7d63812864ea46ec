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
 * Holds at most {@code capacity} queued messages and at most {@code maxBytes} bytes of them
 * ({@link Message#length()}), plus the one being written; the overflow policy applies when a
 * message would pass either bound. An empty outbox takes any one message, so a message larger than
 * {@code maxBytes} (but within the layer's {@code maxMessageBytes}) is still delivered.
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
    private final long maxBytes;
    private final OverflowPolicy policy;
    private final Listener listener;
    private final Counters counters;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private final ArrayDeque<Entry> queue;
    private long queuedBytes; // guarded by lock
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private boolean shut; // guarded by lock
    private final Thread drainer;

    /** A queued message and its size, measured once. */
    private record Entry(Message message, int bytes) {}

    Outbox(WebSocket ws, int capacity, long maxBytes, OverflowPolicy policy, String name, Counters counters, Listener listener) {
        this.ws = ws;
        this.counters = counters;
        this.capacity = capacity;
        this.maxBytes = maxBytes;
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
        Entry entry = new Entry(m, m.length());
        lock.lock();
        try {
            if (shut) return Offer.SHUT;
            if (fits(entry)) {
                add(entry);
                result = Offer.QUEUED;
            } else if (policy == OverflowPolicy.DROP_OLDEST) {
                int n = 0;
                while (!fits(entry)) {
                    queuedBytes -= queue.pollFirst().bytes();
                    n++;
                }
                add(entry);
                dropped.addAndGet(n);
                counters.dropped.add(n);
                result = Offer.QUEUED_DROPPED_OLDEST;
            } else {
                dropped.addAndGet(queue.size() + 1L);
                counters.dropped.add(queue.size() + 1L);
                counters.overflowClosed.increment();
                queue.clear();
                queuedBytes = 0;
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

    /** True if {@code e} can join the queue within both bounds (an empty queue takes any message). Under lock. */
    private boolean fits(Entry e) {
        return queue.isEmpty() || (queue.size() < capacity && queuedBytes + e.bytes() <= maxBytes);
    }

    private void add(Entry e) {
        queue.addLast(e);
        queuedBytes += e.bytes();
        if (queue.size() == 1) ready.signal(); // the drainer waits only on an empty queue
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
                queuedBytes = 0;
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

    /** Bytes of the queued messages (not counting the one being written). */
    long queuedBytes() {
        lock.lock();
        try {
            return queuedBytes;
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
                Entry e = queue.pollFirst();
                if (e == null) return; // shut and drained
                queuedBytes -= e.bytes();
                m = e.message();
            } finally {
                lock.unlock();
            }
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
