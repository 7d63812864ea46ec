package io.loomsocket.channels;

import io.lettuce.core.RedisFuture;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Bounds the commands in flight on one Redis connection ({@code redisRequestQueue}: issued and not
 * yet answered) and the payload bytes of the messages among them ({@code redisRequestQueueBytes}).
 * A permit is taken before a command is handed to Lettuce and given back when its future
 * completes, so the client's own request queue (sized a little larger, see
 * {@link #LETTUCE_OWN_COMMANDS}) never refuses a command of the layer.
 *
 * <p>Two ways in:
 * <ul>
 *   <li>{@link #issue} and {@link #call} wait for room, in arrival order (a fair semaphore), for at
 *       most {@code redisRequestQueueTimeout}, then throw. Only for callers on their own thread that may
 *       wait (a view's virtual thread joining a group, the layer's supervisor); never on Lettuce's
 *       event loop nor under a lock that a delivery needs. They have at most
 *       {@code commands - sendReserve} in flight.</li>
 *   <li>{@link #offer} and {@link #offerSend} never wait: they issue the command if there is room
 *       now and return false otherwise. For commands sent under locks or on Lettuce's event loop,
 *       and for fire-and-forget sends. Sends also have a reserve of permits that waiting callers
 *       cannot take, so a storm of joins cannot starve them.</li>
 * </ul>
 *
 * <p>Any thread may call any method.
 */
final class InFlightLimit {
    /**
     * Room left in Lettuce's request queue above {@code redisRequestQueue} for the commands Lettuce
     * issues itself (resubscribing after a reconnection, the connection handshake).
     */
    static final int LETTUCE_OWN_COMMANDS = 16;

    private final String where;
    private final int commands;
    private final int maxBytes;
    private final Duration wait, answer;
    private final Semaphore shared;
    private final Semaphore sendReserve;
    private final Semaphore bytes;

    /**
     * @param where the connection, for messages
     * @param commands commands in flight at most ({@code redisRequestQueue})
     * @param sendReserve how many of them only {@link #offerSend} may use (0 for a connection without sends)
     * @param maxBytes payload bytes of sends in flight at most ({@code redisRequestQueueBytes})
     * @param wait how long {@link #issue} waits for room ({@code redisRequestQueueTimeout})
     * @param answer how long {@link #call} waits for the answer ({@code redisCommandTimeout})
     */
    InFlightLimit(String where, int commands, int sendReserve, int maxBytes, Duration wait, Duration answer) {
        if (sendReserve < 0 || sendReserve >= commands) throw new IllegalArgumentException("sendReserve " + sendReserve + " of " + commands);
        this.where = where;
        this.commands = commands;
        this.maxBytes = maxBytes;
        this.wait = wait;
        this.answer = answer;
        this.shared = new Semaphore(commands - sendReserve, true);
        this.sendReserve = new Semaphore(sendReserve, true);
        this.bytes = new Semaphore(maxBytes, true);
    }

    /** The size to give Lettuce's request queue for a connection bounded by {@code redisRequestQueue} commands. */
    static int lettuceQueueSize(int redisRequestQueue) { return redisRequestQueue + LETTUCE_OWN_COMMANDS; }

    /**
     * The share of {@code commands} kept for sends: three quarters (at least one), so joins and
     * reads have at most a quarter in flight. They wait for their answers, and an answer comes
     * after every command sent before it: fewer of them in flight keeps their answers within
     * {@code redisCommandTimeout} when thousands join at once on a busy server (the rest wait for
     * room instead, up to {@code redisRequestQueueTimeout}). Sends are not waited for.
     */
    static int sendReserveOf(int commands) { return Math.max(1, commands * 3 / 4); }

    /**
     * Waits for room (at most {@code redisRequestQueueTimeout}), then issues {@code command} without
     * waiting for its answer.
     *
     * @throws IllegalStateException if there was no room in time, or if interrupted (the flag is kept)
     */
    <T> RedisFuture<T> issue(Supplier<RedisFuture<T>> command) {
        try {
            if (!shared.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS))
                throw new IllegalStateException("channel layer: " + commands + " Redis commands already in flight to " + where
                        + " (redisRequestQueue) for longer than redisRequestQueueTimeout (" + wait.toMillis() + " ms)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("channel layer: interrupted while waiting for room to send to Redis at " + where, e);
        }
        return started(command, shared, 0);
    }

    /**
     * {@link #issue}, then waits for the answer up to {@code redisCommandTimeout}.
     *
     * @throws IllegalStateException on no room in time, no answer in time, a failed command or an interrupt
     */
    <T> T call(Supplier<RedisFuture<T>> command, String what) {
        RedisFuture<T> f = issue(command);
        try {
            return f.get(answer.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, e);
        } catch (Exception e) {
            throw new IllegalStateException("channel layer: failed " + what + " at Redis " + where + ": " + e, e);
        }
    }

    /** Issues {@code command} if there is room now; never waits. */
    boolean offer(Supplier<? extends CompletionStage<?>> command) {
        if (!shared.tryAcquire()) return false;
        started(command, shared, 0);
        return true;
    }

    /**
     * Issues a command carrying {@code payloadBytes} of message if there is room now (in the shared
     * permits, else in the reserve); never waits. A message larger than the byte bound needs the
     * whole bound.
     */
    boolean offerSend(int payloadBytes, Supplier<? extends CompletionStage<?>> command) {
        int n = Math.min(payloadBytes, maxBytes);
        if (!bytes.tryAcquire(n)) return false;
        Semaphore from = shared.tryAcquire() ? shared : sendReserve.tryAcquire() ? sendReserve : null;
        if (from == null) {
            bytes.release(n);
            return false;
        }
        started(command, from, n);
        return true;
    }

    /** Commands issued and not yet answered (for tests and stats). */
    int inFlight() {
        return commands - shared.availablePermits() - sendReserve.availablePermits();
    }

    private <F extends CompletionStage<?>> F started(Supplier<F> command, Semaphore from, int payloadBytes) {
        F f;
        try {
            f = command.get();
        } catch (RuntimeException e) {
            release(from, payloadBytes);
            throw e;
        }
        f.whenComplete((r, e) -> release(from, payloadBytes));
        return f;
    }

    private void release(Semaphore from, int payloadBytes) {
        from.release();
        if (payloadBytes > 0) bytes.release(payloadBytes);
    }
}
