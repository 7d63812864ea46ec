package io.loomsocket.connection;

import io.loomsocket.engine.MessageEncoder;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The write side of one connection: frames are encoded by the engine's {@link MessageEncoder}
 * (framing, masking, permessage-deflate) into a write buffer and written to the transport in as few system calls as latency allows.
 *
 * <h2>Locks</h2>
 * {@link #messageLock} is held by a data sender for a whole message (for a
 * {@code sendStream}, until the stream is closed), so data messages never interleave.
 * {@link #writeLock} guards the buffer and the transport's output and is held only while
 * encoding or writing; control frames need only it, so they go out between the fragments of a
 * streamed message (RFC 6455 §5.4). Pongs and the close echo from the reader never block on
 * {@code writeLock}: they go in a slot that whoever holds the lock writes before its own data
 * ("pongs before queued data") and the reader writes itself when the lock is free.
 *
 * <h2>When bytes hit the wire (write coalescing)</h2>
 * After each message the sender flushes unless another sender is queued behind it, or the
 * caller says more is coming (the application has more received messages to process); then a
 * deferred flush is scheduled on the shared {@link Flusher} ({@value
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
 * the write fail. One timer task per connection at a time, re-armed only while writes happen.
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

    /** A close frame waiting for the write side. */
    record CloseFrame(int code, String reason) {}

    /** Buffer allocated for the first frames after idling; it grows to the configured size. */
    static final int SMALL_BUFFER = 1024;
    /** Payloads of at least this many write buffers go to the transport without a copy (see {@link #data}). */
    static final int DIRECT_WRITE_BUFFERS = 2;
    /** A write taking longer than this marks the peer as congested (flushed off the flusher thread). */
    private static final long CONGESTED_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    /**
     * Diagnostic switch for measuring what coalescing buys: {@code -Dloomsocket.coalesce=false}
     * flushes after every message (the buffer-full and about-to-block rules stay).
     */
    static final boolean COALESCE = !"false".equals(System.getProperty("loomsocket.coalesce"));

    final ReentrantLock messageLock = new ReentrantLock();
    final ReentrantLock writeLock = new ReentrantLock();

    private final Transport transport;
    private final MessageEncoder encoder;
    private final int bufferSize;
    /**
     * The most the buffer grows to: the configured size plus a frame header's worth, so a message
     * whose payload fills the configured size goes out in one write (a 16 KiB echo took two: the
     * buffer-full, then the frame's last 4 bytes on their own).
     */
    private final int capacity;
    private final long writeTimeoutNanos;
    private final Events events;

    // guarded by writeLock
    private OutputStream out;
    private ByteBuffer buf;
    private volatile boolean closeWritten;
    private volatile boolean failed;

    private volatile boolean dirty;
    /** When the buffer last went from clean to dirty (meaningful while {@link #dirty}). */
    private volatile long dirtySince;
    private volatile boolean congested;
    private volatile long writeStartNanos;
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final AtomicBoolean watchdogArmed = new AtomicBoolean();
    /** The watchdog's pending timer task, if one was scheduled. */
    private volatile ScheduledFuture<?> watchdogTask;
    private final AtomicReference<byte[]> pendingPong = new AtomicReference<>();
    private final AtomicReference<CloseFrame> pendingClose = new AtomicReference<>();

    Outbound(Transport transport, MessageEncoder encoder, int bufferSize, long writeTimeoutNanos, Events events) {
        this.transport = transport;
        this.encoder = encoder;
        this.bufferSize = bufferSize;
        this.capacity = bufferSize + MessageEncoder.MAX_CONTROL_FRAME_SIZE;
        this.writeTimeoutNanos = writeTimeoutNanos;
        this.events = events;
    }

    /** True once our close frame is written or the transport failed: no more frames go out. */
    boolean isShut() {
        return closeWritten || failed;
    }

    // ---------------------------------------------------------------- data frames

    /** Kinds of data frames {@link #data} starts on the encoder. */
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
     * {@link #messageLock} across the frames of a message.
     *
     * @param flushBy who flushes if the frame stays buffered (see the class comment)
     */
    void data(Kind kind, String text, byte[] b, int off, int len, boolean fin, FlushBy flushBy) {
        writeLock.lock();
        try {
            writeControlLocked(true);
            checkOpen();
            switch (kind) {
                case TEXT -> encoder.startText(text);
                case BINARY -> encoder.startBinary(b, off, len);
                case FRAGMENT_TEXT, FRAGMENT_BINARY -> encoder.startFragment(kind == Kind.FRAGMENT_TEXT, b, off, len, fin);
            }
            // A payload of at least DIRECT_WRITE_BUFFERS write buffers is not copied through the
            // buffer: the header (with what fits after it) goes out first, the rest in one write
            // straight from the caller's array — two writes instead of one per buffer-full. Below
            // that, copying is cheaper than the extra write (java.net.Socket has no gathering
            // write), and a message's tail can share a write with the next message.
            boolean direct = encoder.pendingPayload() >= DIRECT_WRITE_BUFFERS * bufferSize
                    && encoder.canWriteDirectly();
            ensure(direct ? SMALL_BUFFER : Math.min(encoder.pendingPayload() + MessageEncoder.MAX_CONTROL_FRAME_SIZE, capacity));
            while (!encoder.encode(buf)) {
                flushLocked();
                if (direct && buf.position() == 0 && !encoder.atFrameBoundary()) {
                    int n = encoder.pendingPayload();
                    writeLocked(encoder.directArray(), encoder.directOffset(), n);
                    encoder.directWritten(n);
                    break;
                }
                ensure(capacity);
            }
            if (!dirty) dirtySince = System.nanoTime();
            dirty = true;
            boolean urgent = writeControlLocked(false);
            boolean othersWaiting = fin && messageLock.hasQueuedThreads();
            if (urgent || buf.position() >= bufferSize - MessageEncoder.MAX_CONTROL_FRAME_SIZE) {
                flushLocked();
            } else if (COALESCE && flushBy == FlushBy.RECEIVER && !othersWaiting) {
                // left for the receiver's next receive (flushIfStale) or the ReadWatch tick
            } else if (COALESCE && (othersWaiting || flushBy != FlushBy.NOW)) {
                scheduleFlush();
            } else {
                flushLocked();
            }
        } finally {
            writeLock.unlock();
        }
        afterUnlock();
    }

    private void checkOpen() {
        if (closeWritten || failed) throw events.closedException();
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

    /**
     * Queues a pong (RFC 6455 §5.5.3: answering only the latest ping is allowed) and writes it
     * now if the write side is free; otherwise the current writer sends it before more data.
     */
    void pong(byte[] payload) {
        pendingPong.set(payload);
        afterUnlock();
    }

    /** Sends a ping at once, ahead of buffered data; throws the closed exception once shut. */
    void ping(byte[] payload) {
        controlNow(true, payload);
    }

    /** Sends an unsolicited pong now (application heartbeat). */
    void pongNow(byte[] payload) {
        controlNow(false, payload);
    }

    /**
     * A ping or pong written and flushed at once, after any pending pong/close of the reader. A
     * buffer allocated for it alone is dropped again: a keepalive ping must not leave 1 KiB behind
     * on every idle connection.
     */
    private void controlNow(boolean ping, byte[] payload) {
        writeLock.lock();
        try {
            writeControlLocked(false);
            checkOpen();
            boolean hadBuffer = buf != null;
            ensure(MessageEncoder.MAX_CONTROL_FRAME_SIZE);
            if (ping) encoder.encodePing(buf, payload);
            else encoder.encodePong(buf, payload);
            dirty = true;
            if (hadBuffer) flushLocked();
            else flushAndShrinkLocked();
        } finally {
            writeLock.unlock();
        }
        afterUnlock();
    }

    /**
     * Sends our close frame (RFC 6455 §5.5.1) as soon as the write side is free, after whatever
     * is buffered. Does not block. Later data sends fail. Only the first call counts.
     */
    void close(int code, String reason) {
        pendingClose.compareAndSet(null, new CloseFrame(code, reason));
        afterUnlock();
    }

    /**
     * Sends our close frame, waiting up to {@code timeoutNanos} for the write side. Returns false
     * if it could not be written in time (a writer is stuck on a peer that does not read).
     */
    boolean closeAndWait(int code, String reason, long timeoutNanos) throws InterruptedException {
        pendingClose.compareAndSet(null, new CloseFrame(code, reason));
        if (!writeLock.tryLock(timeoutNanos, TimeUnit.NANOSECONDS)) return false;
        try {
            writeControlLocked(true);
            return closeWritten;
        } catch (RuntimeException e) {
            return false; // the transport failed; the connection aborts
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Writes a pending pong and close frame (in that order). Lock held. The close frame is
     * always flushed at once; a pong too if {@code flush}. Returns true if it wrote anything.
     */
    private boolean writeControlLocked(boolean flush) {
        if (failed || closeWritten) {
            pendingPong.set(null);
            return false;
        }
        byte[] p = pendingPong.getAndSet(null);
        CloseFrame c = pendingClose.get();
        if (p == null && c == null) return false;
        ensure(2 * MessageEncoder.MAX_CONTROL_FRAME_SIZE);
        if (p != null) encoder.encodePong(buf, p);
        if (c != null) {
            encoder.encodeClose(buf, c.code(), c.reason());
            closeWritten = true; // RFC 6455 §5.5.1: no data frames after our close frame
        }
        dirty = true;
        if (flush || c != null) flushLocked();
        if (c != null) events.onCloseWritten();
        return true;
    }

    /** Whoever releases the lock makes sure no control frame is left behind in a slot. */
    private void afterUnlock() {
        while (!failed && !closeWritten && (pendingPong.get() != null || pendingClose.get() != null)
                && writeLock.tryLock()) {
            try {
                writeControlLocked(true);
            } catch (RuntimeException e) {
                return; // the transport failed: reported through onWriteFailed
            } finally {
                writeLock.unlock();
            }
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
            long start = System.nanoTime();
            writeStartNanos = start == 0 ? 1 : start;
            armWatchdog();
            out.write(b, off, len);
            congested = System.nanoTime() - start > CONGESTED_NANOS;
        } catch (IOException e) {
            failed = true;
            events.onWriteFailed(e);
            throw events.closedException();
        } finally {
            writeStartNanos = 0;
        }
    }

    /** Buffered bytes left to the receiver get a deferred flush after all (the receiver no longer reads). */
    void deferFlush() {
        if (dirty) scheduleFlush();
    }

    private void scheduleFlush() {
        if (flushScheduled.compareAndSet(false, true)) Flusher.schedule(this);
    }

    /** The deferred flush on the flusher thread (never blocks on the lock). */
    @Override
    public void deferredFlush() {
        flushScheduled.set(false);
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
        afterUnlock();
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
        afterUnlock();
    }

    /** Flushes and drops the buffer: the connection looks idle, keep its footprint small. */
    private void flushAndShrinkLocked() {
        flushLocked();
        if (!messageLock.isLocked()) buf = null;
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

    // ---------------------------------------------------------------- write timeout

    private void armWatchdog() {
        if (!watchdogArmed.get() && watchdogArmed.compareAndSet(false, true)) {
            scheduleWatchdog(writeTimeoutNanos);
        }
    }

    /**
     * The timer holds this side weakly: a closed connection must not stay in memory until the
     * task fires (bugs.md B3). A writer blocked in a write keeps it strongly reachable (its own
     * stack; a virtual thread parked on a socket is held by the poller), so a stuck write is still caught.
     */
    private void scheduleWatchdog(long delayNanos) {
        WeakReference<Outbound> self = new WeakReference<>(this);
        watchdogTask = SharedTimers.schedule(() -> {
            Outbound o = self.get();
            if (o != null) o.watchdog();
        }, delayNanos);
    }

    /**
     * The connection ended: its watchdog leaves the shared timer's queue now instead of when it
     * fires, up to a write timeout later (at thousands of short connections a second, hundreds of
     * thousands of dead tasks in the one timer's heap otherwise).
     */
    void stopWatchdog() {
        ScheduledFuture<?> task = watchdogTask;
        if (task != null) task.cancel(false);
    }

    private void watchdog() {
        long start = writeStartNanos;
        if (start == 0) {
            watchdogArmed.set(false);
            if (writeStartNanos != 0 && watchdogArmed.compareAndSet(false, true)) {
                scheduleWatchdog(writeTimeoutNanos);
            }
            return;
        }
        long waited = System.nanoTime() - start;
        if (waited >= writeTimeoutNanos) {
            watchdogArmed.set(false);
            events.onWriteTimeout();
        } else {
            scheduleWatchdog(writeTimeoutNanos - waited);
        }
    }
}
