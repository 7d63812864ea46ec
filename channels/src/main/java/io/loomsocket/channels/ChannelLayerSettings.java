package io.loomsocket.channels;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits of a channel layer, each with a safe default (see {@link #defaults()}).
 *
 * @param outboxCapacity messages one connection's outbox holds before its {@link OverflowPolicy}
 *     applies (Channels' {@code capacity}, default 100)
 * @param outboxMaxBytes bytes of queued messages ({@link io.loomsocket.Message#length()}) one
 *     connection's outbox holds before its {@link OverflowPolicy} applies, whichever of this and
 *     {@code outboxCapacity} is reached first (default 1 MiB). Without it a slow member could hold
 *     {@code outboxCapacity} messages of {@code maxMessageBytes} each; an empty outbox still takes one
 *     message of any allowed size
 * @param overflowPolicy what a full outbox does (default {@link OverflowPolicy#DROP_OLDEST})
 * @param maxMessageBytes largest message the layer carries (default 1 MiB); larger ones are refused
 *     with {@link IllegalArgumentException}
 * @param maxGroupsPerChannel groups one connection may belong to at once (default 100)
 * @param groupExpiry how long a membership recorded in Redis lives without refresh (Channels'
 *     {@code group_expiry}); the layer refreshes live memberships every third of it, so only the
 *     members of a crashed server expire (default 5 minutes)
 * @param sweepInterval how often closed connections are looked for and removed from their groups
 *     (default 1 second); a send to a closed connection removes it at once
 * @param keyPrefix prefix of every Redis key and pub/sub channel (default {@code "loomsocket"});
 *     servers that should form one cluster share it
 * @param redisCommandTimeout how long the layer waits for Redis where it must wait: reading a
 *     group's members, the presence or a history, resubscribing after an outage, the closing PING
 *     (default 2 seconds).
 *     Publishing never waits, and a slow PUBLISH is not cancelled: it is delivered late
 * @param redisReconnectMax the largest pause between reconnection attempts; they start at
 *     100 ms and double up to this (default 5 seconds)
 * @param redisRequestQueue commands the layer has in flight on one Redis connection at most (sent
 *     and not yet answered; default 10,000, at least 2). A join or a read that finds it full waits
 *     for room, in arrival order, up to {@code redisRequestQueueTimeout}, then fails; joins and reads
 *     have at most a quarter of it in flight, so that their answers come within
 *     {@code redisCommandTimeout}. A publish or a send to a history group never waits: with no room
 *     it fails and is counted in {@code publishFailed}; the other three quarters are kept for those
 *     sends, so waiting joins cannot starve them. The Redis client's own queue
 *     is sized just above it, so the client never refuses a command
 * @param redisRequestQueueBytes bytes of messages (publishes and sends to history groups) the layer
 *     has in flight on its Redis connection at most (default 64 MiB); a send beyond it fails and is
 *     counted like one beyond {@code redisRequestQueue}; a message larger than the bound needs all of it
 * @param redisRequestQueueTimeout how long a join or a read waits for room in {@code redisRequestQueue}
 *     before it fails with an {@link IllegalStateException} (default 30 seconds). It is longer than
 *     {@code redisCommandTimeout}: when thousands of connections join at once, each waits behind all
 *     the commands of the joins before it, which takes seconds on a busy server without Redis being slow
 */
public record ChannelLayerSettings(
        int outboxCapacity,
        int outboxMaxBytes,
        OverflowPolicy overflowPolicy,
        int maxMessageBytes,
        int maxGroupsPerChannel,
        Duration groupExpiry,
        Duration sweepInterval,
        String keyPrefix,
        Duration redisCommandTimeout,
        Duration redisReconnectMax,
        int redisRequestQueue,
        int redisRequestQueueBytes,
        Duration redisRequestQueueTimeout) {

    /** Names are ASCII letters, digits, hyphens, underscores and periods (as in Channels). */
    static final String NAME_CHARS = "[A-Za-z0-9._-]";

    public ChannelLayerSettings {
        if (outboxCapacity < 1) throw new IllegalArgumentException("outboxCapacity must be >= 1: " + outboxCapacity);
        if (outboxMaxBytes < 1) throw new IllegalArgumentException("outboxMaxBytes must be >= 1: " + outboxMaxBytes);
        Objects.requireNonNull(overflowPolicy, "overflowPolicy");
        if (maxMessageBytes < 1) throw new IllegalArgumentException("maxMessageBytes must be >= 1: " + maxMessageBytes);
        if (maxGroupsPerChannel < 1) throw new IllegalArgumentException("maxGroupsPerChannel must be >= 1: " + maxGroupsPerChannel);
        positive(groupExpiry, "groupExpiry");
        positive(sweepInterval, "sweepInterval");
        positive(redisCommandTimeout, "redisCommandTimeout");
        positive(redisReconnectMax, "redisReconnectMax");
        positive(redisRequestQueueTimeout, "redisRequestQueueTimeout");
        if (keyPrefix == null || !keyPrefix.matches(NAME_CHARS + "{1,64}"))
            throw new IllegalArgumentException("keyPrefix must be 1-64 of [A-Za-z0-9._-]: " + keyPrefix);
        if (redisRequestQueue < 2) throw new IllegalArgumentException("redisRequestQueue must be >= 2: " + redisRequestQueue);
        if (redisRequestQueueBytes < 1) throw new IllegalArgumentException("redisRequestQueueBytes must be >= 1: " + redisRequestQueueBytes);
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive: " + d);
    }

    /** 1 MiB, the default {@link #outboxMaxBytes}. */
    public static final int DEFAULT_OUTBOX_MAX_BYTES = 1 << 20;

    /** 64 MiB, the default {@link #redisRequestQueueBytes}. */
    public static final int DEFAULT_REDIS_REQUEST_QUEUE_BYTES = 64 << 20;

    public static ChannelLayerSettings defaults() {
        return new ChannelLayerSettings(100, DEFAULT_OUTBOX_MAX_BYTES, OverflowPolicy.DROP_OLDEST, 1 << 20, 100,
                Duration.ofMinutes(5), Duration.ofSeconds(1), "loomsocket",
                Duration.ofSeconds(2), Duration.ofSeconds(5), 10_000, DEFAULT_REDIS_REQUEST_QUEUE_BYTES,
                Duration.ofSeconds(30));
    }

    public ChannelLayerSettings withOutboxCapacity(int v) {
        return new ChannelLayerSettings(v, outboxMaxBytes, overflowPolicy, maxMessageBytes, maxGroupsPerChannel, groupExpiry, sweepInterval, keyPrefix, redisCommandTimeout, redisReconnectMax, redisRequestQueue, redisRequestQueueBytes, redisRequestQueueTimeout);
    }

    public ChannelLayerSettings withOutboxMaxBytes(int v) {
        return new ChannelLayerSettings(outboxCapacity, v, overflowPolicy, maxMessageBytes, maxGroupsPerChannel, groupExpiry, sweepInterval, keyPrefix, redisCommandTimeout, redisReconnectMax, redisRequestQueue, redisRequestQueueBytes, redisRequestQueueTimeout);
    }

    public ChannelLayerSettings withOverflowPolicy(OverflowPolicy v) {
        return new ChannelLayerSettings(outboxCapacity, outboxMaxBytes, v, maxMessageBytes, maxGroupsPerChannel, groupExpiry, sweepInterval, keyPrefix, redisCommandTimeout, redisReconnectMax, redisRequestQueue, redisRequestQueueBytes, redisRequestQueueTimeout);
    }

    public ChannelLayerSettings withMaxMessageBytes(int v) {
        return new ChannelLayerSettings(outboxCapacity, outboxMaxBytes, overflowPolicy, v, maxGroupsPerChannel, groupExpiry, sweepInterval, keyPrefix, redisCommandTimeout, redisReconnectMax, redisRequestQueue, redisRequestQueueBytes, redisRequestQueueTimeout);
    }

    public ChannelLayerSettings withMaxGroupsPerChannel(int v) {
        return new ChannelLayerSettings(outboxCapacity, outboxMaxBytes, overflowPolicy, maxMessageBytes, v, groupExpiry, sweepInterval, keyPrefix, redisCommandTimeout, redisReconnectMax, redisRequestQueue, redisRequestQueueBytes, redisRequestQueueTimeout);
    }

    public ChannelLayerSettings withGroupExpiry(Duration v) {
        return new ChannelLayerSettings(outboxCapacity, outboxMaxBytes, overflowPolicy, maxMessageBytes, maxGroupsPerChannel, v, sweepInterval, keyPrefix, redisCommandTimeout, redisReconnectMax, redisRequestQueue, redisRequestQueueBytes, redisRequestQueueTimeout);
    }

    public ChannelLayerSettings withSweepInterval(Duration v) {
        return new ChannelLayerSettings(outboxCapacity, outboxMaxBytes, overflowPolicy, maxMessageBytes, maxGroupsPerChannel, groupExpiry, v, keyPrefix, redisCommandTimeout, redisReconnectMax, redisRequestQueue, redisRequestQueueBytes, redisRequestQueueTimeout);
    }

    public ChannelLayerSettings withKeyPrefix(String v) {
        return new ChannelLayerSettings(outboxCapacity, outboxMaxBytes, overflowPolicy, maxMessageBytes, maxGroupsPerChannel, groupExpiry, sweepInterval, v, redisCommandTimeout, redisReconnectMax, redisRequestQueue, redisRequestQueueBytes, redisRequestQueueTimeout);
    }

    public ChannelLayerSettings withRedisCommandTimeout(Duration v) {
        return new ChannelLayerSettings(outboxCapacity, outboxMaxBytes, overflowPolicy, maxMessageBytes, maxGroupsPerChannel, groupExpiry, sweepInterval, keyPrefix, v, redisReconnectMax, redisRequestQueue, redisRequestQueueBytes, redisRequestQueueTimeout);
    }

    public ChannelLayerSettings withRedisReconnectMax(Duration v) {
        return new ChannelLayerSettings(outboxCapacity, outboxMaxBytes, overflowPolicy, maxMessageBytes, maxGroupsPerChannel, groupExpiry, sweepInterval, keyPrefix, redisCommandTimeout, v, redisRequestQueue, redisRequestQueueBytes, redisRequestQueueTimeout);
    }

    public ChannelLayerSettings withRedisRequestQueue(int v) {
        return new ChannelLayerSettings(outboxCapacity, outboxMaxBytes, overflowPolicy, maxMessageBytes, maxGroupsPerChannel, groupExpiry, sweepInterval, keyPrefix, redisCommandTimeout, redisReconnectMax, v, redisRequestQueueBytes, redisRequestQueueTimeout);
    }

    public ChannelLayerSettings withRedisRequestQueueBytes(int v) {
        return new ChannelLayerSettings(outboxCapacity, outboxMaxBytes, overflowPolicy, maxMessageBytes, maxGroupsPerChannel, groupExpiry, sweepInterval, keyPrefix, redisCommandTimeout, redisReconnectMax, redisRequestQueue, v, redisRequestQueueTimeout);
    }

    public ChannelLayerSettings withRedisRequestQueueTimeout(Duration v) {
        return new ChannelLayerSettings(outboxCapacity, outboxMaxBytes, overflowPolicy, maxMessageBytes, maxGroupsPerChannel, groupExpiry, sweepInterval, keyPrefix, redisCommandTimeout, redisReconnectMax, redisRequestQueue, redisRequestQueueBytes, v);
    }
}
