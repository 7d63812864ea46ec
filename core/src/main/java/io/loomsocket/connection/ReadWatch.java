package io.loomsocket.connection;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Makes sure every connection is read even while its application does not call
 * {@code receive()}: a connection nobody reads is registered here, and a tick on its runtime's
 * timer thread every {@value #TICK_MILLIS} ms starts a background reader for each one that
 * nobody has read since the previous tick (see {@link InboundQueue}'s read ownership). So a
 * ping, the peer's close or a message that arrives while the application is away is read within
 * one to two ticks, and the common case (the application waits in {@code receive()}) needs no
 * second thread.
 *
 * <p>The tick also writes out bytes such a receiver left in its write buffer
 * ({@link Outbound.FlushBy#RECEIVER}). Only connections whose receiver is away are held, so idle
 * connections cost nothing here. One per {@link ConnectionRuntime}.
 */
final class ReadWatch {
    /** How often connections nobody reads are checked. */
    static final long TICK_MILLIS = 20;

    /** Bounded by the connections: each is held at most once ({@link InboundQueue#watch()}). */
    private final ConcurrentLinkedQueue<ReceivePath> watched = new ConcurrentLinkedQueue<>();

    /** Starts the tick on {@code timers}; it ends when they are shut down. */
    ReadWatch(SharedTimers timers) {
        timers.scheduleAtFixedRate(this::tick, TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
    }

    /** Adds a connection nobody reads now (the caller checked {@link InboundQueue#watch()}). */
    void add(ReceivePath c) {
        watched.add(c);
    }

    /** On the timer thread: one pass over the connections registered before this tick. */
    private void tick() {
        for (int n = watched.size(); n > 0; n--) {
            ReceivePath c = watched.poll();
            if (c == null) return;
            InboundQueue.WatchVerdict verdict = c.queue().watchTick();
            // bytes a stalled receiver left buffered (Outbound.FlushBy.RECEIVER); after the verdict,
            // which may stop the watch: a sender that buffers later sees that and schedules a flush
            c.outbound().sweepFlush();
            switch (verdict) {
                case KEEP -> watched.add(c);
                case DROP -> { }
                case START_READER -> c.startBackgroundReader();
            }
        }
    }
}
