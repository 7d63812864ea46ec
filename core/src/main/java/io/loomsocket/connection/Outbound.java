package io.loomsocket.connection;

import io.loomsocket.engine.MessageEncoder;
import io.loomsocket.engine.WebSocketProtocol;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The write side of one connection, I/O policy only: the connection's {@link WebSocketProtocol}
 * decides what goes out (frames, their order, the automatic pong, nothing after close) and writes
 * it into this side's buffer ({@link WebSocketProtocol#writeTo}); this class decides when the
 * buffer reaches the transport, in as few system calls as latency allows.
 *
 * <h2>Locks</h2>
 * <table>
 *   <caption>who holds what</caption>
 *   <tr><th>lock</th><th>guards</th><th>held across a blocking write?</th></tr>
 *   <tr><td>{@link #messageLock()}</td><td>one data message at a time: held by a sender for the whole
 *       message (a {@code sendStream} until it is closed), so messages never interleave</td><td>yes</td></tr>
 *   <tr><td>{@link #writeLock}</td><td>the buffer and the transport's output</td><td>yes</td></tr>
 *   <tr><td>the connection's lock</td><td>the protocol object (never held while writing to the
 *       transport: the reader feeds bytes and queues pongs under it while a writer is blocked)</td><td>no</td></tr>
 * </table>
 * Order: {@code messageLock} → {@code writeLock} → the connection's lock. Control frames need only
 * {@code writeLock}, so they go out between the fragments of a streamed message (RFC 6455 §5.4).
 * The reader never blocks on {@code writeLock}: the protocol holds its pong or close echo until
 * whoever holds the lock writes them before its own data ("pongs before queued data"), or the
 * reader writes them itself when the lock is free ({@link #writePending()}).
 *
 * <p>Who calls what: senders, from any thread, call {@link #data} (holding {@code messageLock}),
 * {@link #ping}, {@link #pongNow} and {@link #writeAndWait}; the reader calls only
 * {@link #writePending()}; a receiver calls {@link #flushIfStale()} and {@link #flushIfIdle()};
 * the runtime's platform threads (the {@link Flusher}, the {@link ReadWatch} tick) call only
 * {@link #deferredFlush()} and {@link #sweepFlush()}, which never block on a lock. The volatile
 * flags ({@code dirty}, {@code failed}, {@code congested}) are written under {@code writeLock}
 * (or once, by {@link #stop()}) and read without it as hints.
 *
 * <h2>When bytes hit the wire (write coalescing)</h2>
 * After each message the sender flushes unless another sender is queued behind it, or the
 * caller says more is coming (the application has more received messages to process); then a
 * deferred flush is scheduled on the runtime's {@link Flusher} ({@value
 * io.loomsocket.WebSocketConfig#FLUSH_DELAY_MICROS} µs). The invariant: buffered bytes always
 * have a flush scheduled, so nothing waits longer than that delay. A full buffer is always written
 * at once, and so is a receiver about to block ({@link #flushIfIdle()}).
 *
 * <p>One exception, the request-reply loop: when the receiving thread itself reads the socket
 * ({@link FlushBy#RECEIVER}), it comes back to {@code receive()} for its next queued message,
 * where {@link #flushIfStale()} writes bytes older than the flush delay; if it stalls instead,
 * {@link ReadWatch}'s tick flushes them ({@link #sweepFlush()}, within 20–40 ms). This saves a
 * flusher hand-off per batch, measured at 14 % of a 64 B echo's throughput.
 *
 * <h2>Write timeout</h2>
 * A blocking write that lasts longer than the write timeout (the peer stopped reading) is
 * broken by the shared timer, which tells the connection to abort: closing the transport makes
 * the write fail. One timer task per connection at a time, re-armed only while writes happen
 * ({@link WriteWatchdog}, made by the first write).
 */
final class Outbound implements Flusher.Flushable {

    /** Callbacks into the connection. */
    interface Events {
        /** The transport failed while writing; the connection must abort. */
        void onWriteFailed(IOException e);

        /** A write blocked longer than the write timeout. */
        void onWriteTimeout();

        /** Our close frame was written and flushed (under the write lock). */
        void onCloseWritten();

        /** The exception a sender gets once the connection is closing or closed. */
        RuntimeException closedException();
    }

    /** Buffer allocated for the first frames after idling; it grows to the configured size. */
    static final int SMALL_BUFFER = 1024;
    /** Payloads of at least this many write buffers go to the transport without a copy (see {@link #data}). */
    static final int DIRECT_WRITE_BUFFERS = 2;
    /** A write taking longer than this marks the peer as congested (flushed off the flusher thread). */
    private static final long CONGESTED_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final VarHandle FLUSH_SCHEDULED;
    private static final VarHandle MESSAGE_LOCK;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            FLUSH_SCHEDULED = l.findVarHandle(Outbound.class, "flushScheduled", boolean.class);
            MESSAGE_LOCK = l.findVarHandle(Outbound.class, "messageLock", ReentrantLock.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Made by the first sender ({@link #messageLock()}): a connection that never sent holds none. */
    private volatile ReentrantLock messageLock;
    final ReentrantLock writeLock = new ReentrantLock();

    private final Transport transport;
    private final WebSocketProtocol protocol;
    /** The connection's lock: guards {@link #protocol}. */
    private final ReentrantLock lock;
    private final int bufferSize;
    /**
     * The most the buffer grows to: the configured size plus a frame header's worth, so a message
     * whose payload fills the configured size goes out in one write (a 16 KiB echo took two: the
     * buffer-full, then the frame's last 4 bytes on their own).
     */
    private final int capacity;
    private final long writeTimeoutNanos;
    private final Events events;
    private final ConnectionRuntime runtime;

    // guarded by writeLock
    private OutputStream out;
    private ByteBuffer buf;
    /** Our close frame went into the buffer and was not announced yet ({@link Events#onCloseWritten}). */
    private boolean closeToAnnounce;
    private volatile boolean failed;

    private volatile boolean dirty;
    /** When the buffer last went from clean to dirty (meaningful while {@link #dirty}). */
    private volatile long dirtySince;
    private volatile boolean congested;
    /** A deferred flush is scheduled (compare-and-set through FLUSH_SCHEDULED: no AtomicBoolean per connection). */
    private volatile boolean flushScheduled;
    /** The write timeout, made by the first write (guarded by writeLock; read by {@link #stop()}). */
    private volatile WriteWatchdog watchdog;

    /**
     * @param protocol the connection's protocol, guarded by {@code lock}
     * @param lock     the connection's lock
     */
    Outbound(Transport transport, WebSocketProtocol protocol, ReentrantLock lock, int bufferSize,
             long writeTimeoutNanos, Events events, ConnectionRuntime runtime) {
        this.transport = transport;
        this.protocol = protocol;
        this.lock = lock;
        this.bufferSize = bufferSize;
        this.capacity = bufferSize + MessageEncoder.MAX_CONTROL_FRAME_SIZE;
        this.writeTimeoutNanos = writeTimeoutNanos;
        this.events = events;
        this.runtime = runtime;
    }

    /** The lock a sender holds for a whole data message (see the class comment), made on first use. */
    ReentrantLock messageLock() {
        ReentrantLock l = messageLock;
        if (l == null) {
            l = new ReentrantLock();
            if (!MESSAGE_LOCK.compareAndSet(this, null, l)) l = messageLock;
        }
        return l;
    }

    /** True if this thread holds the message lock (an open {@code sendStream}). */
    boolean holdsMessageLock() {
        ReentrantLock l = messageLock;
        return l != null && l.isHeldByCurrentThread();
    }

    /** True once our close frame is queued or the transport failed: no more data goes out. */
    boolean isShut() {
        lock.lock();
        try {
            return failed || protocol.isCloseQueued();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- data frames

    /** Kinds of data frames {@link #data} starts on the protocol. */
    enum Kind { TEXT, BINARY, FRAGMENT_TEXT, FRAGMENT_BINARY }

    /** Who writes out a data frame left in the buffer, when coalescing leaves it there. */
    enum FlushBy {
        /** The sender, now. */
        NOW,
        /** The {@link Flusher}, after the flush delay: the caller will send again at once. */
        FLUSHER,
        /** The receiving thread on its next receive (or the {@link ReadWatch} tick): it reads the socket itself. */
        RECEIVER
    }

    /**
     * Encodes and sends one data frame: a whole message ({@link Kind#TEXT} with {@code text},
     * {@link Kind#BINARY} with the slice), or one fragment of a streamed message. The caller holds
     * {@link #messageLock()} across the frames of a message.
     *
     * @param flushBy who flushes if the frame stays buffered (see the class comment)
     * @return the payload's length in bytes before compression (UTF-8 for text)
     */
    int data(Kind kind, String text, byte[] b, int off, int len, boolean fin, FlushBy flushBy) {
        int length = len;
        writeLock.lock();
        try {
            int pending;
            boolean direct;
            boolean urgent;
            lock.lock();
            try {
                if (failed || protocol.isCloseQueued()) throw events.closedException();
                urgent = protocol.hasDataToSend(); // a pong or ping waits: it goes first, and out now
                switch (kind) {
                    case TEXT -> length = protocol.sendText(text);
                    case BINARY -> protocol.sendBinary(b, off, len);
                    case FRAGMENT_TEXT, FRAGMENT_BINARY -> protocol.sendFragment(kind == Kind.FRAGMENT_TEXT, b, off, len, fin);
                }
                pending = protocol.pendingPayload();
                // A payload of at least DIRECT_WRITE_BUFFERS write buffers is not copied through the
                // buffer: the header (with what fits after it) goes out first, the rest in one write
                // straight from the caller's array — two writes instead of one per buffer-full. Below
                // that, copying is cheaper than the extra write (java.net.Socket has no gathering
                // write), and a message's tail can share a write with the next message.
                direct = pending >= DIRECT_WRITE_BUFFERS * bufferSize && protocol.canWriteDirectly();
            } finally {
                lock.unlock();
            }
            ensure(direct ? SMALL_BUFFER : Math.min(pending + MessageEncoder.MAX_CONTROL_FRAME_SIZE, capacity));
            while (!encodeLocked()) {
                flushLocked();
                if (direct && buf.position() == 0 && writeDirectlyLocked()) break;
                ensure(capacity);
            }
            if (!dirty) dirtySince = System.nanoTime();
            dirty = true;
            urgent |= encodePendingLocked(); // control frames the reader queued meanwhile
            boolean othersWaiting = fin && messageLock().hasQueuedThreads();
            if (urgent || closeToAnnounce || buf.position() >= bufferSize - MessageEncoder.MAX_CONTROL_FRAME_SIZE) {
                flushLocked();
            } else if (flushBy == FlushBy.RECEIVER && !othersWaiting) {
                // left for the receiver's next receive (flushIfStale) or the ReadWatch tick
            } else if (othersWaiting || flushBy != FlushBy.NOW) {
                scheduleFlush();
            } else {
                flushLocked();
            }
            announceClose();
        } finally {
            writeLock.unlock();
        }
        writePending();
        return length;
    }

    /** {@link WebSocketProtocol#writeTo} into the buffer. Write lock held. Returns true when nothing is left. */
    private boolean encodeLocked() {
        lock.lock();
        try {
            boolean wasWritten = protocol.isCloseWritten();
            boolean done = protocol.writeTo(buf);
            if (!wasWritten && protocol.isCloseWritten()) closeToAnnounce = true;
            return done;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes the rest of the pending payload straight from the sender's array (the buffer was just
     * flushed). Write lock held; the transport write happens without the connection's lock.
     * Returns false if the frame's header is not out yet.
     */
    private boolean writeDirectlyLocked() {
        byte[] a;
        int from;
        int n;
        lock.lock();
        try {
            if (protocol.atFrameBoundary() || !protocol.canWriteDirectly()) return false;
            a = protocol.directArray();
            from = protocol.directOffset();
            n = protocol.pendingPayload();
        } finally {
            lock.unlock();
        }
        writeLocked(a, from, n);
        lock.lock();
        try {
            protocol.directWritten(n);
        } finally {
            lock.unlock();
        }
        return true;
    }

    /**
     * Encodes whatever the protocol holds for the wire (a pong, a ping, the close frame). Write
     * lock held, no data frame in progress. Returns true if it encoded anything.
     */
    private boolean encodePendingLocked() {
        lock.lock();
        try {
            if (failed || !protocol.hasDataToSend()) return false;
        } finally {
            lock.unlock();
        }
        ensure(2 * MessageEncoder.MAX_CONTROL_FRAME_SIZE);
        while (!encodeLocked()) {
            flushLocked();
            ensure(capacity);
        }
        dirty = true;
        return true;
    }

    /** Our close frame was flushed: tell the connection (once). Write lock held. */
    private void announceClose() {
        if (closeToAnnounce && !dirty) {
            closeToAnnounce = false;
            events.onCloseWritten();
        }
    }

    /**
     * Makes room for {@code n} bytes (at most {@link #capacity}): grows the buffer, keeping what it
     * holds, up to {@link #capacity}, and only then flushes. Flushing a small buffer as soon as it
     * filled cost a 64 B echo two writes per batch where one does (strace: 858 + 198 bytes after
     * each 1,120-byte read, the first 1 KiB buffer full).
     */
    private void ensure(int n) {
        if (buf == null) {
            buf = ByteBuffer.allocate(Math.max(SMALL_BUFFER, Math.min(n, capacity)));
            return;
        }
        if (buf.remaining() >= n) return;
        if (buf.capacity() < capacity) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(Math.max(buf.position() + n, buf.capacity() * 2), capacity));
            buf = bigger.put(buf.flip());
            if (buf.remaining() >= n) return;
        }
        flushLocked();
    }

    // ---------------------------------------------------------------- control frames

    /** Sends a ping at once, ahead of buffered data; throws the closed exception once shut. */
    void ping(byte[] payload) {
        controlNow(true, payload);
    }

    /** Sends an unsolicited pong now (application heartbeat). */
    void pongNow(byte[] payload) {
        controlNow(false, payload);
    }

    /**
     * A ping or pong written and flushed at once, after any pong or close the protocol holds. A
     * buffer allocated for it alone is dropped again: a keepalive ping must not leave 1 KiB behind
     * on every idle connection.
     */
    private void controlNow(boolean ping, byte[] payload) {
        writeLock.lock();
        try {
            lock.lock();
            try {
                if (failed || protocol.isCloseQueued()) throw events.closedException();
                if (ping) protocol.sendPing(payload);
                else protocol.sendPong(payload);
            } finally {
                lock.unlock();
            }
            boolean hadBuffer = buf != null;
            encodePendingLocked();
            if (hadBuffer) flushLocked();
            else flushAndShrinkLocked();
            announceClose();
        } finally {
            writeLock.unlock();
        }
        writePending();
    }

    /**
     * Writes what the protocol holds (our close frame), waiting up to {@code timeoutNanos} for the
     * write side. Returns false if our close frame is not on the wire by then (a writer is stuck on
     * a peer that does not read, or the transport failed).
     */
    boolean writeAndWait(long timeoutNanos) throws InterruptedException {
        if (!writeLock.tryLock(timeoutNanos, TimeUnit.NANOSECONDS)) return false;
        try {
            writeControlLocked();
        } catch (RuntimeException e) {
            return false; // the transport failed; the connection aborts
        } finally {
            writeLock.unlock();
        }
        lock.lock();
        try {
            return protocol.isCloseWritten() && !failed;
        } finally {
            lock.unlock();
        }
    }

    /** Encodes and flushes what the protocol holds. Write lock held. */
    private void writeControlLocked() {
        if (encodePendingLocked() || dirty) flushLocked();
        announceClose();
    }

    /**
     * Whoever releases the write lock, and the reader after an event that queued a frame, makes
     * sure nothing the protocol holds is left behind: it writes it now if the write side is free;
     * otherwise the holder writes it before releasing.
     */
    void writePending() {
        while (!failed && hasPending() && writeLock.tryLock()) {
            try {
                writeControlLocked();
            } catch (RuntimeException e) {
                return; // the transport failed: reported through onWriteFailed
            } finally {
                writeLock.unlock();
            }
        }
    }

    private boolean hasPending() {
        lock.lock();
        try {
            return protocol.hasDataToSend();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- flushing

    /** Writes out the buffer. Lock held. On failure marks the side failed and throws the closed exception. */
    private void flushLocked() {
        if (buf == null || buf.position() == 0 || failed) {
            dirty = false;
            return;
        }
        try {
            writeLocked(buf.array(), 0, buf.position());
        } finally {
            buf.clear();
            dirty = false;
        }
    }

    /** Writes bytes to the transport under the write watchdog; a failure fails the connection. */
    private void writeLocked(byte[] b, int off, int len) {
        if (failed) throw events.closedException();
        try {
            if (out == null) out = transport.output();
            if (watchdog == null) watchdog = new WriteWatchdog(writeTimeoutNanos, runtime.timers, events::onWriteTimeout);
            long start = System.nanoTime();
            watchdog.started(start);
            out.write(b, off, len);
            congested = System.nanoTime() - start > CONGESTED_NANOS;
        } catch (IOException e) {
            failed = true;
            events.onWriteFailed(e);
            throw events.closedException();
        } finally {
            WriteWatchdog w = watchdog;
            if (w != null) w.ended();
        }
    }

    /** Buffered bytes left to the receiver get a deferred flush after all (the receiver no longer reads). */
    void deferFlush() {
        if (dirty) scheduleFlush();
    }

    private void scheduleFlush() {
        if (!flushScheduled && FLUSH_SCHEDULED.compareAndSet(this, false, true)) runtime.flusher.schedule(this);
    }

    /** The deferred flush on the flusher thread (never blocks on the lock). */
    @Override
    public void deferredFlush() {
        flushScheduled = false;
        sweepFlush();
    }

    /**
     * Writes out buffered bytes from a shared platform thread (the flusher, the ReadWatch tick):
     * never blocks on the lock, and a congested peer is flushed on a virtual thread instead.
     */
    void sweepFlush() {
        if (!dirty) return;
        if (congested) {
            // a peer that is slow to read must not stall the shared flusher thread
            SharedTimers.runVirtual("loomsocket-flush", this::flushIfIdleBlocking);
            return;
        }
        if (!writeLock.tryLock()) {
            scheduleFlush(); // the holder may have seen our flag set; keep the invariant
            return;
        }
        flushShrinkAndRelease();
    }

    private void flushIfIdleBlocking() {
        writeLock.lock();
        flushShrinkAndRelease();
    }

    /** With the write lock held: flush, release the lock, then send any control frame left in a slot. */
    private void flushShrinkAndRelease() {
        try {
            flushAndShrinkLocked();
        } catch (RuntimeException ignored) {
            // the connection was told through onWriteFailed
        } finally {
            writeLock.unlock();
        }
        writePending();
    }

    /**
     * The receiving thread takes its next queued message: write out bytes that have waited
     * longer than the flush delay (left to it by {@link FlushBy#RECEIVER}).
     */
    void flushIfStale() {
        if (dirty && System.nanoTime() - dirtySince >= Flusher.DELAY_NANOS) flushIfIdle();
    }

    /**
     * A receiver is about to block: write out anything buffered now, unless a writer holds the
     * lock (it flushes or schedules a flush itself).
     */
    void flushIfIdle() {
        if (!dirty || !writeLock.tryLock()) return;
        try {
            flushAndShrinkLocked();
        } catch (RuntimeException ignored) {
            // reported through onWriteFailed; the receiver sees the close
        } finally {
            writeLock.unlock();
        }
        writePending();
    }

    /** Flushes and drops the buffer: the connection looks idle, keep its footprint small. */
    private void flushAndShrinkLocked() {
        flushLocked();
        ReentrantLock m = messageLock;
        if (m == null || !m.isLocked()) buf = null;
    }

    /** The write buffer's size, 0 when none is held (for tests: idle connections hold none). */
    int bufferCapacity() {
        writeLock.lock();
        try {
            return buf == null ? 0 : buf.capacity();
        } finally {
            writeLock.unlock();
        }
    }

    boolean hasBufferedBytes() {
        return dirty;
    }

    /**
     * The connection ended: nothing more is written, and the write watchdog's timer task is
     * cancelled (see {@link WriteWatchdog#stop}).
     */
    void stop() {
        failed = true; // nothing more goes out
        WriteWatchdog w = watchdog;
        if (w != null) w.stop();
    }
}
