package io.loomsocket.connection;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes out frames that a sender left in its connection's write buffer (write coalescing), at
 * most {@link io.loomsocket.WebSocketConfig#FLUSH_DELAY_MICROS} µs after the send.
 *
 * <p>One platform thread per {@link ConnectionRuntime}: virtual threads are not preempted, so a
 * view that sends and then computes could keep every carrier busy, and a virtual flusher would
 * never run. Because every entry gets the same delay, arrival order is deadline order and a FIFO
 * queue suffices. The thread only {@code tryLock}s a connection's write side: if a sender holds
 * it, that sender flushes or re-registers. A connection whose last write was slow (its peer does
 * not read) is flushed on a virtual thread instead, so one stalled peer cannot hold up the others.
 *
 * <p>Once {@link #shutdown() shut down}, a flush asked for is done on a virtual thread of its own.
 */
final class Flusher {
    /** A connection that may have buffered frames to write. */
    interface Flushable {
        /** Called on the flusher thread at the deadline; must not block for long. */
        void deferredFlush();
    }

    private record Entry(Flushable target, long deadline) {}

    /** The flush delay: the longest a buffered frame waits for a deferred flush. */
    static final long DELAY_NANOS = io.loomsocket.WebSocketConfig.FLUSH_DELAY_MICROS * 1000;
    private static final System.Logger LOG = System.getLogger(Flusher.class.getName());

    /**
     * Bounded by the connections: each has at most one entry at a time (its
     * {@code flushScheduled} flag), and a connection's entry leaves within {@link #DELAY_NANOS}.
     */
    private final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean parked;
    private volatile boolean stopped;

    Flusher(String name) {
        thread = Thread.ofPlatform().daemon().name(name).unstarted(this::run);
        thread.setPriority(Thread.MAX_PRIORITY);
        thread.start();
    }

    /** Asks for {@code target.deferredFlush()} in about FLUSH_DELAY; the caller dedups. */
    void schedule(Flushable target) {
        if (stopped) {
            SharedTimers.runVirtual("loomsocket-flush", target::deferredFlush);
            return;
        }
        Entry e = new Entry(target, System.nanoTime() + DELAY_NANOS);
        queue.add(e);
        if (parked) {
            LockSupport.unpark(thread);
        }
        // stopped meanwhile: the thread may have ended before it saw the entry (exactly one removes it)
        if (stopped && queue.remove(e)) {
            SharedTimers.runVirtual("loomsocket-flush", target::deferredFlush);
        }
    }

    /** Ends the thread after the flushes already due. */
    void shutdown() {
        stopped = true;
        LockSupport.unpark(thread);
    }

    /** True once the thread has ended (for tests). */
    boolean isTerminated() {
        return !thread.isAlive();
    }

    private void run() {
        while (true) {
            Entry e = queue.peek();
            if (e == null) {
                if (stopped) return;
                parked = true;
                if (queue.isEmpty() && !stopped) {
                    LockSupport.park();
                }
                parked = false;
                continue;
            }
            long wait = e.deadline - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            queue.poll();
            try {
                e.target.deferredFlush();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "deferred flush failed", t);
            }
        }
    }
}
