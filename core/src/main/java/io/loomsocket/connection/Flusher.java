package io.loomsocket.connection;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes out frames that a sender left in its connection's write buffer (write coalescing), at
 * most {@link io.loomsocket.WebSocketConfig#FLUSH_DELAY_MICROS} µs after the send.
 *
 * <p>One JVM-wide platform thread: virtual threads are not preempted, so a view that sends and
 * then computes could keep every carrier busy, and a virtual flusher would never run. Because
 * every entry gets the same delay, arrival order is deadline order and a FIFO queue suffices.
 * The thread only {@code tryLock}s a connection's write side: if a sender holds it, that sender
 * flushes or re-registers. A connection whose last write was slow (its peer does not read) is
 * flushed on a virtual thread instead, so one stalled peer cannot hold up the others.
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
    private static final ConcurrentLinkedQueue<Entry> QUEUE = new ConcurrentLinkedQueue<>();
    private static final Thread THREAD;
    private static volatile boolean parked;

    static {
        THREAD = Thread.ofPlatform().daemon().name("loomsocket-flusher").unstarted(Flusher::run);
        THREAD.setPriority(Thread.MAX_PRIORITY);
        THREAD.start();
    }

    private Flusher() {}

    /** Asks for {@code target.deferredFlush()} in about FLUSH_DELAY; the caller dedups. */
    static void schedule(Flushable target) {
        QUEUE.add(new Entry(target, System.nanoTime() + DELAY_NANOS));
        if (parked) {
            LockSupport.unpark(THREAD);
        }
    }

    private static void run() {
        var log = System.getLogger(Flusher.class.getName());
        while (true) {
            Entry e = QUEUE.peek();
            if (e == null) {
                parked = true;
                if (QUEUE.isEmpty()) {
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
            QUEUE.poll();
            try {
                e.target.deferredFlush();
            } catch (Throwable t) {
                log.log(System.Logger.Level.ERROR, "deferred flush failed", t);
            }
        }
    }
}
