package io.loomsocket.connection;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The threads a group of connections shares: one timer thread ({@link SharedTimers}: keepalive,
 * close and write timeouts, the {@link ReadWatch} tick) and one {@link Flusher} thread. There is
 * no platform thread per connection.
 *
 * <p>A server creates one when it starts and {@linkplain #close() closes} it when it has
 * stopped (its threads end); connections opened without one (a client, a test) use the
 * {@linkplain #shared() shared} runtime, created on first use and never closed. Thread-safe.
 */
public final class ConnectionRuntime implements AutoCloseable {
    private final String name;
    private final boolean shared;
    final SharedTimers timers;
    final Flusher flusher;
    final ReadWatch readWatch;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ConnectionRuntime(String name, boolean shared) {
        this.name = name;
        this.shared = shared;
        this.timers = new SharedTimers(name + "-timer");
        this.flusher = new Flusher(name + "-flusher");
        this.readWatch = new ReadWatch(timers);
    }

    /** A runtime with its own two threads, named {@code name-timer} and {@code name-flusher}. */
    public static ConnectionRuntime create(String name) {
        return new ConnectionRuntime(name, false);
    }

    /** The runtime of connections opened without one; its threads live as long as the JVM. */
    public static ConnectionRuntime shared() {
        return Shared.INSTANCE;
    }

    /** Created on first use, not when this class loads. */
    private static final class Shared {
        static final ConnectionRuntime INSTANCE = new ConnectionRuntime("loomsocket", true);
    }

    /**
     * Stops the threads. Call it once the connections are closed: a connection still open loses
     * its timers (keepalive, close timeout) and {@link ReadWatch}; its deferred flushes still
     * happen, each on a virtual thread. Idempotent; the shared runtime refuses.
     */
    @Override
    public void close() {
        if (shared) throw new UnsupportedOperationException("the shared runtime is never closed");
        if (!closed.compareAndSet(false, true)) return;
        timers.shutdown();
        flusher.shutdown();
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return closed.get();
    }

    /** True once both threads have ended (they end soon after {@link #close()}). */
    public boolean threadsEnded() {
        return timers.isTerminated() && flusher.isTerminated();
    }

    @Override
    public String toString() {
        return "ConnectionRuntime[" + name + (closed.get() ? " closed" : "") + "]";
    }
}
