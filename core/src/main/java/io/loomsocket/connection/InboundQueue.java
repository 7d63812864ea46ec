package io.loomsocket.connection;

import io.loomsocket.Message;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Received messages waiting for the application, bounded by {@code max_queue} messages and
 * {@code max_queue_bytes} bytes (whichever is reached first; an empty queue takes any message), and the
 * ownership of the connection's {@link Reader}. The reader {@link #put}s and, when it runs on
 * its background thread, blocks while the queue is full, which stops reading the socket: TCP
 * flow control then slows the peer (backpressure). Items are {@link Whole} messages or, for a
 * message handed over as a stream, {@link IncomingStream}s.
 *
 * <h2>Read ownership</h2>
 * At most one thread reads the transport at a time; this queue's lock decides which
 * ({@code readState}):
 * <ul>
 *   <li>{@code NONE}: nobody reads. A receiver that finds the queue empty and may read
 *       itself (an untimed {@code receive()}) becomes the reader: {@link #takeOrRead} answers
 *       {@link Signal#READ_HERE}; it reads, queues, and gives the ownership back with
 *       {@link #readDone()}. Anyone else gets {@link Signal#START_READER} and starts the background
 *       reader. {@link ReadWatch} starts it too when nobody has read for a tick.</li>
 *   <li>{@code SELF}: a receiver is reading; other receivers wait for items.</li>
 *   <li>{@code BACKGROUND}: the background reader thread runs. A receiver that could read
 *       itself asks for the ownership back; the reader hands it over after its current read
 *       ({@link #handOverRead()}) and its thread ends.</li>
 * </ul>
 *
 * <h2>Lock</h2>
 * One lock of its own, taken alone (never while holding a connection's other locks, and none is
 * taken under it). It guards the items, the byte count, {@code readState}, the watch flags and
 * the two conditions ({@code notEmpty} for receivers, {@code notFull} for the reader). The
 * volatile copies ({@code count}, {@code bytes}, {@code readState}, {@code streamWaiters},
 * {@code ended}) are written under it and read without it by the reader's and senders' per-event
 * checks ({@link #isFull()}, {@link #size()}, {@link #receiverReads()}, {@link #poll()}'s empty case).
 *
 * <p>Thread-safe: one producer at a time (the reader's owner), any number of consumers.
 */
final class InboundQueue {

    /** What {@link #takeOrRead} and {@link #poll} answer: an {@link Item} or a {@link Signal}. */
    sealed interface Take permits Item, Signal {}

    /** What the queue holds: a whole message or a message handed over as a stream. */
    sealed interface Item extends Take permits Whole, IncomingStream {}

    /** A whole message. */
    record Whole(Message message, int length) implements Item {
        /** A whole message whose payload length is computed from it. */
        Whole(Message message) {
            this(message, message.length());
        }
    }

    /** The answers that are not items. */
    enum Signal implements Take {
        /** The queue has ended and is drained. */
        END,
        /** Nothing is queued: {@link #poll} found none, or a timed wait ran out. */
        EMPTY,
        /** The caller now owns the reader: read, then {@link #readDone()}. */
        READ_HERE,
        /** The caller must start the background reader, then ask again. */
        START_READER
    }

    /** Who reads the transport now (see the class comment). */
    private enum ReadOwner { NONE, SELF, BACKGROUND }

    private final ReentrantLock lock = new ReentrantLock();
    // Made by the first thread that needs them (under the lock): a connection that never received
    // a message, or never made anyone wait, holds none of the three.
    private Condition notEmpty;
    private Condition notFull;
    private ArrayDeque<Item> items;
    private final int capacity;
    private final long maxBytes;
    /** Payload bytes of the queued messages (see {@link #weight}), written under the lock. */
    private volatile long bytes;
    private volatile boolean ended;
    private boolean discardWhenFull;
    private boolean producerBlocked;
    /** Written under the lock, read without it (the per-event checks of the reader and senders). */
    private volatile int streamWaiters;
    /** {@code items.size()}, written under the lock, read without it. */
    private volatile int count;
    /** Written under the lock; read without it by {@link #receiverReads()}. */
    private volatile ReadOwner readState = ReadOwner.NONE;
    /** A receiver waits to read itself: the background reader should hand over. */
    private boolean handOverWanted;
    /** Times a receiver took the reader ({@link ReadWatch} compares it between ticks). */
    private int selfReads;
    private int selfReadsAtLastTick;
    /** Whether {@link ReadWatch} holds this queue's connection. */
    private volatile boolean watched;

    InboundQueue(int capacity, long maxBytes) {
        this.capacity = capacity;
        this.maxBytes = maxBytes;
    }

    /**
     * What an item counts against the byte bound: a whole message its payload length, a stream
     * nothing (its chunks are bounded by the stream itself).
     */
    private static long weight(Item item) {
        return switch (item) {
            case Whole w -> w.length();
            case IncomingStream stream -> 0;
        };
    }

    /** Under the lock: no more items fit. */
    private boolean fullLocked() {
        return count >= capacity || bytes >= maxBytes;
    }

    private void removed(Item item) {
        bytes -= weight(item);
        count = items.size();
    }

    /**
     * Adds a message or stream. Blocks while the queue is full, unless {@link #discardWhenFull()}
     * was called, in which case an item that does not fit is dropped.
     *
     * @return false if the item was dropped (queue ended, or full while discarding)
     */
    boolean put(Item item) throws InterruptedException {
        lock.lock();
        try {
            while (fullLocked() && !ended && !discardWhenFull) {
                producerBlocked = true;
                try {
                    if (notFull == null) notFull = lock.newCondition();
                    notFull.await();
                } finally {
                    producerBlocked = false;
                }
            }
            if (ended || fullLocked()) return false;
            if (items == null) items = new ArrayDeque<>(4);
            items.addLast(item);
            bytes += weight(item);
            count = items.size();
            if (notEmpty != null) notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next item, waiting at most {@code nanos} (negative: forever), or the reader's ownership
     * when nobody reads (see the class comment).
     *
     * @param mayReadHere the caller can read the transport itself (it waits untimed, for a whole message)
     * @return the item, {@link Signal#END} once ended and drained, {@link Signal#EMPTY} on timeout,
     *         {@link Signal#READ_HERE} or {@link Signal#START_READER}
     */
    Take takeOrRead(long nanos, boolean wantStream, boolean mayReadHere) throws InterruptedException {
        lock.lock();
        try {
            if (wantStream) streamWaiters++;
            try {
                boolean timed = nanos >= 0;
                while (count == 0) {
                    if (ended) return Signal.END;
                    if (readState == ReadOwner.NONE) {
                        readState = mayReadHere ? ReadOwner.SELF : ReadOwner.BACKGROUND;
                        if (mayReadHere) selfReads++;
                        return mayReadHere ? Signal.READ_HERE : Signal.START_READER;
                    }
                    if (readState == ReadOwner.BACKGROUND && mayReadHere) handOverWanted = true;
                    if (notEmpty == null) notEmpty = lock.newCondition();
                    if (!timed) {
                        notEmpty.await();
                    } else {
                        if (nanos <= 0) return Signal.EMPTY;
                        nanos = notEmpty.awaitNanos(nanos);
                    }
                }
            } finally {
                if (wantStream) streamWaiters--;
            }
            Item item = items.pollFirst();
            removed(item);
            if (notFull != null) notFull.signal();
            if (count > 0 && notEmpty != null) notEmpty.signal();
            return item;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A receiver that got {@link Signal#READ_HERE} finished its read. Returns true if the caller must
     * hand the connection to {@link ReadWatch} (nobody reads until someone receives again).
     */
    boolean readDone() {
        lock.lock();
        try {
            readState = ReadOwner.NONE;
            if (notEmpty != null) notEmpty.signalAll(); // another waiting receiver may read now
            return watchLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called by the background reader between reads: if a receiver wants to read itself, gives
     * it the ownership and returns true (the background thread ends). Like {@link #readDone()},
     * the caller then hands the connection to {@link ReadWatch} if this returns true and
     * {@link #watch()} does too (the receiver may leave without reading).
     */
    boolean handOverRead() {
        lock.lock();
        try {
            if (!handOverWanted) return false;
            handOverWanted = false;
            readState = ReadOwner.NONE;
            if (notEmpty != null) notEmpty.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Claims the reader for a background thread if nobody reads; true if the caller must start it. */
    boolean claimBackground() {
        lock.lock();
        try {
            if (readState != ReadOwner.NONE || ended) return false;
            readState = ReadOwner.BACKGROUND;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** What {@link ReadWatch} does with this connection at a tick. */
    enum WatchVerdict { KEEP, DROP, START_READER }

    /**
     * A {@link ReadWatch} tick: nobody has read since the last tick → claim the reader for a
     * background thread; someone reads → stop watching (a receiver re-registers when it leaves).
     */
    WatchVerdict watchTick() {
        lock.lock();
        try {
            if (ended || readState != ReadOwner.NONE) {
                watched = false;
                return WatchVerdict.DROP;
            }
            if (selfReads != selfReadsAtLastTick) { // a receiver read since the last tick: it will be back
                selfReadsAtLastTick = selfReads;
                return WatchVerdict.KEEP;
            }
            watched = false;
            readState = ReadOwner.BACKGROUND;
            return WatchVerdict.START_READER;
        } finally {
            lock.unlock();
        }
    }

    /** Marks the connection watched; true if it was not (the caller adds it to {@link ReadWatch}). */
    boolean watch() {
        lock.lock();
        try {
            return watchLocked();
        } finally {
            lock.unlock();
        }
    }

    private boolean watchLocked() {
        if (watched || ended) return false;
        watched = true;
        selfReadsAtLastTick = selfReads - 1; // the first tick only notes it: a full tick of absence starts a reader
        return true;
    }

    /**
     * True if reading is left to the receiving thread between its receives (nobody reads right
     * now and {@link ReadWatch} holds the connection): bytes it leaves buffered are flushed by
     * its next receive or the watch's tick. A hint, read without the lock.
     */
    boolean receiverReads() {
        return readState == ReadOwner.NONE && watched;
    }

    /** True if a receiver may not queue more (it leaves the rest of its read pending). */
    boolean isFull() {
        return count >= capacity || bytes >= maxBytes;
    }

    /** The next item without waiting, {@link Signal#END} once ended and drained, else {@link Signal#EMPTY}. */
    Take poll() {
        if (count == 0 && !ended) return Signal.EMPTY; // the common case, without the lock
        lock.lock();
        try {
            Item item = items == null ? null : items.pollFirst();
            if (item != null) {
                removed(item);
                if (notFull != null) notFull.signal();
                return item;
            }
            return ended ? Signal.END : Signal.EMPTY;
        } finally {
            lock.unlock();
        }
    }

    /** True if a consumer is blocked in {@code take(.., true)} and nothing is queued. */
    boolean streamWanted() {
        return streamWaiters > 0 && count == 0;
    }

    int size() {
        return count;
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
            if (notFull != null) notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** No more items will come: consumers drain what is queued, then get {@link Signal#END}. */
    void end() {
        lock.lock();
        try {
            ended = true;
            if (notEmpty != null) notEmpty.signalAll();
            if (notFull != null) notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
