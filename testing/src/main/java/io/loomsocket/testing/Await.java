package io.loomsocket.testing;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polling for a condition that another thread or process makes true, with a time limit. */
public final class Await {
    /** How often a condition is checked. */
    public static final Duration POLL = Duration.ofMillis(100);

    private Await() {}

    /** Checks {@code condition} every {@link #POLL} until it holds; an AssertionError naming {@code what} after {@code timeout}. */
    public static void until(Duration timeout, String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            Thread.sleep(POLL.toMillis());
        }
    }
}
