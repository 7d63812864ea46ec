package io.loomsocket.connection;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Makes sure every connection is read even while its application does not call
 * {@code receive()}: a connection nobody reads is registered here, and a tick on the shared
 * timer thread every {@value #TICK_MILLIS} ms starts a background reader for each one that
 * nobody has read since the previous tick (see {@link InboundQueue}'s read ownership). So a
 * ping, the peer's close or a message that arrives while the application is away is read within
 * one to two ticks, and the common case (the application waits in {@code receive()}) needs no
 * second thread.
 *
 * <p>The tick also writes out bytes such a receiver left in its write buffer
 * ({@link Outbound.FlushBy#RECEIVER}). Only connections whose receiver is away are held, so idle
 * connections cost nothing here.
 */
final class ReadWatch {
    /** How often connections nobody reads are checked. */
    static final long TICK_MILLIS = 20;

    private static final ConcurrentLinkedQueue<WebSocketConnection> WATCHED = new ConcurrentLinkedQueue<>();

    static {
        SharedTimers.scheduleAtFixedRate(ReadWatch::tick, TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
    }

    private ReadWatch() {}

    /** Adds a connection nobody reads now (the caller checked {@link InboundQueue#watch()}). */
    static void add(WebSocketConnection c) {
        WATCHED.add(c);
    }

    /** On the timer thread: one pass over the connections registered before this tick. */
    private static void tick() {
        for (int n = WATCHED.size(); n > 0; n--) {
            WebSocketConnection c = WATCHED.poll();
            if (c == null) return;
            InboundQueue.WatchVerdict verdict = c.queue().watchTick();
            // bytes a stalled receiver left buffered (Outbound.FlushBy.RECEIVER); after the verdict,
            // which may stop the watch: a sender that buffers later sees that and schedules a flush
            c.outbound().sweepFlush();
            switch (verdict) {
                case KEEP -> WATCHED.add(c);
                case DROP -> { }
                case START_READER -> c.startBackgroundReader();
            }
        }
    }
}
