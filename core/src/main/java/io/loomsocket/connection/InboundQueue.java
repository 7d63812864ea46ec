package io.loomsocket.connection;

import io.loomsocket.Message;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Received messages waiting for the application, bounded by {@code max_queue}. The reader thread
 * {@link #put}s and blocks while the queue is full, which stops reading the socket: TCP flow
 * control then slows the peer (backpressure). Items are {@link Message}s or, for a message
 * handed over as a stream, {@link IncomingStream}s.
 *
 * <p>Thread-safe: one producer (the reader), any number of consumers.
 */
final class InboundQueue {
    /** Returned by {@link #take} once the queue has ended and is drained. */
    static final Object END = new Object();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<Object> items = new ArrayDeque<>(4);
    private final int capacity;
    private boolean ended;
    private boolean discardWhenFull;
    private boolean producerBlocked;
    private int streamWaiters;

    InboundQueue(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Adds a message or stream. Blocks while the queue is full, unless {@link #discardWhenFull()}
     * was called, in which case an item that does not fit is dropped.
     *
     * @return false if the item was dropped (queue ended, or full while discarding)
     */
    boolean put(Object item) throws InterruptedException {
        lock.lock();
        try {
            while (items.size() >= capacity && !ended && !discardWhenFull) {
                producerBlocked = true;
                try {
                    notFull.await();
                } finally {
                    producerBlocked = false;
                }
            }
            if (ended || items.size() >= capacity) return false;
            items.addLast(item);
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next item, waiting at most {@code nanos} (negative: forever).
     *
     * @return the item, {@link #END} once ended and drained, or null on timeout
     */
    Object take(long nanos, boolean wantStream) throws InterruptedException {
        lock.lock();
        try {
            if (wantStream) streamWaiters++;
            try {
                boolean timed = nanos >= 0;
                while (items.isEmpty()) {
                    if (ended) return END;
                    if (!timed) {
                        notEmpty.await();
                    } else {
                        if (nanos <= 0) return null;
                        nanos = notEmpty.awaitNanos(nanos);
                    }
                }
            } finally {
                if (wantStream) streamWaiters--;
            }
            Object item = items.pollFirst();
            notFull.signal();
            if (!items.isEmpty()) notEmpty.signal();
            return item;
        } finally {
            lock.unlock();
        }
    }

    /** The next item without waiting, {@link #END} once ended and drained, or null. */
    Object poll() {
        lock.lock();
        try {
            Object item = items.pollFirst();
            if (item != null) {
                notFull.signal();
                return item;
            }
            return ended ? END : null;
        } finally {
            lock.unlock();
        }
    }

    /** True if a consumer is blocked in {@code take(.., true)} and nothing is queued. */
    boolean streamWanted() {
        lock.lock();
        try {
            return streamWaiters > 0 && items.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return items.size();
        } finally {
            lock.unlock();
        }
    }

    /** True while the reader is blocked on a full queue (the connection is not reading). */
    boolean producerBlocked() {
        lock.lock();
        try {
            return producerBlocked;
        } finally {
            lock.unlock();
        }
    }

    /** From now on a full queue drops new items instead of blocking the reader (we are closing). */
    void discardWhenFull() {
        lock.lock();
        try {
            discardWhenFull = true;
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** No more items will come: consumers drain what is queued, then get {@link #END}. */
    void end() {
        lock.lock();
        try {
            ended = true;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
