package io.loomsocket.connection;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one JVM-wide timer thread of all connections: keepalive pings, close timeouts, the write
 * watchdog and the {@link ReadWatch} tick. A platform thread (virtual threads are not preempted, so a timer must not wait for a
 * free carrier). Tasks run here must be short and never block: anything that may block (sending
 * a ping, closing a TLS socket) is handed to a virtual thread.
 */
final class SharedTimers {
    private static final ScheduledThreadPoolExecutor EXECUTOR;

    static {
        EXECUTOR = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = Thread.ofPlatform().daemon().name("loomsocket-timer").unstarted(r);
            t.setPriority(Thread.MAX_PRIORITY);
            return t;
        });
        // a cancelled keepalive of a closed connection must not stay in the queue for 20 s
        EXECUTOR.setRemoveOnCancelPolicy(true);
    }

    private SharedTimers() {}

    static ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return EXECUTOR.schedule(guard(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    /** Tasks waiting in the timer's queue (for tests: cancelled tasks must not linger). */
    static int queued() {
        return EXECUTOR.getQueue().size();
    }

    /** Runs {@code task} every {@code periodNanos} for the life of the JVM. */
    static void scheduleAtFixedRate(Runnable task, long periodNanos) {
        EXECUTOR.scheduleAtFixedRate(guard(task), periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    /** Runs {@code task} on a new virtual thread (for work that may block). */
    static void runVirtual(String name, Runnable task) {
        Thread.ofVirtual().name(name).start(task);
    }

    private static Runnable guard(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable t) {
                System.getLogger(SharedTimers.class.getName())
                        .log(System.Logger.Level.ERROR, "loomsocket timer task failed", t);
            }
        };
    }
}
