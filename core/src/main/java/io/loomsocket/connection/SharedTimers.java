package io.loomsocket.connection;

import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The timer thread a {@link ConnectionRuntime}'s connections share: keepalive pings, close
 * timeouts, the write watchdog and the {@link ReadWatch} tick. A platform thread (virtual threads
 * are not preempted, so a timer must not wait for a free carrier). Tasks run here must be short
 * and never block: anything that may block (sending a ping, closing a TLS socket) is handed to a
 * virtual thread.
 *
 * <p>Once {@link #shutdown() shut down} (the runtime was closed) a task is not run: what is
 * scheduled then belongs to a connection of a stopped server, which is closed already.
 */
final class SharedTimers {
    private static final System.Logger LOG = System.getLogger(SharedTimers.class.getName());
    /** What {@link #schedule} answers once shut down: a task that will never run. */
    private static final Future<?> NEVER = CompletableFuture.failedFuture(new RejectedExecutionException("timers stopped"));

    private final ScheduledThreadPoolExecutor executor;

    SharedTimers(String name) {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = Thread.ofPlatform().daemon().name(name).unstarted(r);
            t.setPriority(Thread.MAX_PRIORITY);
            return t;
        }) {
            /**
             * A one-shot task's failure is kept in its future, which nobody reads: log it here, so
             * that {@link #schedule} needs no wrapper object around every task (one per
             * connection's keepalive, close timer and write watchdog).
             */
            @Override
            protected void afterExecute(Runnable r, Throwable t) {
                if (t == null && r instanceof Future<?> f && f.isDone() && !f.isCancelled()) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        t = e.getCause();
                    } catch (InterruptedException | CancellationException e) {
                        if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                    }
                }
                if (t != null) LOG.log(System.Logger.Level.ERROR, "loomsocket timer task failed", t);
            }
        };
        // a cancelled keepalive of a closed connection must not stay in the queue for 20 s
        executor.setRemoveOnCancelPolicy(true);
    }

    /** Runs {@code task} once after {@code delayNanos}; cancel it with the future. */
    Future<?> schedule(Runnable task, long delayNanos) {
        try {
            return executor.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return NEVER;
        }
    }

    /** Runs {@code task} once after {@code delayNanos} (as {@link #schedule(Runnable, long)}, without a Runnable's adapter object). */
    Future<?> schedule(Callable<?> task, long delayNanos) {
        try {
            return executor.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return NEVER;
        }
    }

    /** Tasks waiting in the timer's queue (for tests: cancelled tasks must not linger). */
    int queued() {
        return executor.getQueue().size();
    }

    /** Runs {@code task} every {@code periodNanos} until {@link #shutdown()}. */
    void scheduleAtFixedRate(Runnable task, long periodNanos) {
        executor.scheduleAtFixedRate(guard(task), periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    /** Stops the thread: queued tasks are dropped, later ones are not run. */
    void shutdown() {
        executor.shutdownNow();
    }

    /** True once the thread has ended (for tests). */
    boolean isTerminated() {
        return executor.isTerminated();
    }

    /** Runs {@code task} on a new virtual thread (for work that may block). */
    static void runVirtual(String name, Runnable task) {
        Thread.ofVirtual().name(name).start(task);
    }

    /** A periodic task must survive its failures (a failed run would cancel the rest): caught and logged here. */
    private static Runnable guard(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "loomsocket timer task failed", t);
            }
        };
    }
}
