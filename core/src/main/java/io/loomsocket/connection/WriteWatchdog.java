package io.loomsocket.connection;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.concurrent.Future;

/**
 * The write timeout of one connection's {@link Outbound}: a blocking write that lasts longer than
 * the timeout (the peer stopped reading) is broken by the shared timer, which tells the
 * connection to abort ({@code onTimeout}); closing the transport makes the write fail. One timer
 * task at a time, re-armed only while writes happen. {@link Outbound} makes it on its first write,
 * so a connection that never wrote holds none.
 *
 * <p>Threads: {@link #started} and {@link #ended} are called by the writer (under the write
 * lock), {@link #stop} by whoever ends the connection, the check by the timer thread; the fields
 * are volatile, the armed flag changes by compare-and-set.
 */
final class WriteWatchdog {
    private static final VarHandle ARMED;

    static {
        try {
            ARMED = MethodHandles.lookup().findVarHandle(WriteWatchdog.class, "armed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long timeoutNanos;
    private final SharedTimers timers;
    private final Runnable onTimeout;
    /** System.nanoTime() when the write in progress started (never 0), 0 when none is. */
    private volatile long writeStartNanos;
    private volatile boolean armed;
    /** The pending timer task, if one was scheduled. */
    private volatile Future<?> task;

    WriteWatchdog(long timeoutNanos, SharedTimers timers, Runnable onTimeout) {
        this.timeoutNanos = timeoutNanos;
        this.timers = timers;
        this.onTimeout = onTimeout;
    }

    /** A blocking write starts at {@code startNanos} (System.nanoTime()). */
    void started(long startNanos) {
        writeStartNanos = startNanos == 0 ? 1 : startNanos;
        if (!armed && ARMED.compareAndSet(this, false, true)) schedule(timeoutNanos);
    }

    /** The write returned or failed. */
    void ended() {
        writeStartNanos = 0;
    }

    /**
     * The connection ended: its task leaves the shared timer's queue now instead of when it fires,
     * up to a write timeout later (at thousands of short connections a second, hundreds of
     * thousands of dead tasks in the one timer's heap otherwise).
     */
    void stop() {
        Future<?> t = task;
        if (t != null) t.cancel(false);
    }

    /**
     * The timer holds the watchdog weakly: a closed connection must not stay in memory until the
     * task fires (bugs.md B3). A writer blocked in a write keeps it strongly reachable (its own
     * stack; a virtual thread parked on a socket is held by the poller), so a stuck write is still caught.
     */
    private void schedule(long delayNanos) {
        WeakReference<WriteWatchdog> self = new WeakReference<>(this);
        task = timers.schedule(() -> {
            WriteWatchdog w = self.get();
            if (w != null) w.check();
        }, delayNanos);
    }

    private void check() {
        long start = writeStartNanos;
        if (start == 0) {
            armed = false;
            if (writeStartNanos != 0 && ARMED.compareAndSet(this, false, true)) schedule(timeoutNanos);
            return;
        }
        long waited = System.nanoTime() - start;
        if (waited >= timeoutNanos) {
            armed = false;
            onTimeout.run();
        } else {
            schedule(timeoutNanos - waited);
        }
    }
}
