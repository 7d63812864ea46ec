package io.loomsocket.channels;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Presence for the Redis layer. Per group, a sorted set {@code <prefix>:pu:<group>} of users
 * scored by their latest heartbeat, and per user a sorted set {@code <prefix>:pc:<group>:<user>}
 * of their connections' channel names scored by heartbeat. Every change runs as one Lua script
 * that also PUBLISHes the join or leave event to the group's pub/sub channel when the user's
 * presence changed: Redis runs scripts one at a time, so every server sees the events in the
 * order of the changes, and exactly one event per change.
 *
 * <p>Servers beat for their connections every third of {@code presenceTimeout} (the join script
 * again: it also brings back a user that expired while this server was cut off) and look for
 * expired users in their groups as often; the script that removes an expired user publishes its
 * leave. So the users of a server that died leave within about 4/3 of {@code presenceTimeout}.
 */
final class RedisPresence {
    /** Changes the event payloads carry, after the envelope's header. */
    static final char JOIN = 'J', LEAVE = 'L';
    /** Expired users one sweep of a group removes at most (the next sweep takes the rest). */
    static final int EXPIRE_BATCH = 1000;

    private static final String JOIN_SCRIPT = """
            local now = tonumber(ARGV[1]); local ttl = tonumber(ARGV[4]); local cutoff = now - ttl
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. cutoff)
            redis.call('ZADD', KEYS[2], now, ARGV[2])
            redis.call('PEXPIRE', KEYS[2], ttl)
            local old = redis.call('ZSCORE', KEYS[1], ARGV[3])
            redis.call('ZADD', KEYS[1], now, ARGV[3])
            redis.call('PEXPIRE', KEYS[1], ttl)
            if (not old) or tonumber(old) < cutoff then redis.call('PUBLISH', ARGV[5], ARGV[6]); return 1 end
            return 0""";
    private static final String LEAVE_SCRIPT = """
            local cutoff = tonumber(ARGV[1]) - tonumber(ARGV[4])
            redis.call('ZREM', KEYS[2], ARGV[2])
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. cutoff)
            if redis.call('ZCARD', KEYS[2]) == 0 and redis.call('ZREM', KEYS[1], ARGV[3]) == 1 then
              redis.call('PUBLISH', ARGV[5], ARGV[6]); return 1
            end
            return 0""";
    private static final String EXPIRE_SCRIPT = """
            local cutoff = tonumber(ARGV[1]) - tonumber(ARGV[2])
            local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. cutoff, 'LIMIT', 0, tonumber(ARGV[6]))
            local n = 0
            for _, u in ipairs(stale) do
              local pc = ARGV[3] .. u
              redis.call('ZREMRANGEBYSCORE', pc, '-inf', '(' .. cutoff)
              local best = redis.call('ZREVRANGE', pc, 0, 0, 'WITHSCORES')
              if #best == 0 then
                redis.call('ZREM', KEYS[1], u)
                redis.call('PUBLISH', ARGV[4], ARGV[5] .. u)
                n = n + 1
              else
                redis.call('ZADD', KEYS[1], best[2], u)
              end
            end
            return n""";

    private final RedisChannelLayer layer;
    private final RedisAsyncCommands<byte[], byte[]> redis;
    private final InFlightLimit commands;
    private final String usersPrefix, connsPrefix, channelPrefix;
    private final long ttl;

    RedisPresence(RedisChannelLayer layer, RedisAsyncCommands<byte[], byte[]> redis, InFlightLimit commands, String keyPrefix,
            String groupChannelPrefix) {
        this.layer = layer;
        this.redis = redis;
        this.commands = commands;
        this.usersPrefix = keyPrefix + ":pu:";
        this.connsPrefix = keyPrefix + ":pc:";
        this.channelPrefix = groupChannelPrefix;
        this.ttl = layer.realtime.presenceTimeout().toMillis();
    }

    /**
     * Records {@code channel} as {@code user}'s connection in {@code group}; publishes the join if
     * the user was not present. Waits for room in flight (a view joining, or the supervisor beating).
     */
    void join(String group, String channel, String user) {
        byte[][] keys = {bytes(usersPrefix + group), utf8(connsPrefix + group + ":" + user)};
        eval(true, JOIN_SCRIPT, keys, now(), bytes(channel), utf8(user), bytes(Long.toString(ttl)), bytes(channelPrefix + group),
                event(group, JOIN + channel + " " + user));
    }

    /**
     * Removes {@code channel}; publishes the leave if it was {@code user}'s last connection in
     * {@code group}. Never waits (it runs under locks and on Lettuce's event loop): with no room in
     * flight it is not sent, and the user leaves when the heartbeats of that connection expire.
     */
    void leave(String group, String channel, String user) {
        byte[][] keys = {bytes(usersPrefix + group), utf8(connsPrefix + group + ":" + user)};
        eval(false, LEAVE_SCRIPT, keys, now(), bytes(channel), utf8(user), bytes(Long.toString(ttl)), bytes(channelPrefix + group),
                event(group, LEAVE + user));
    }

    /** Removes the users of {@code group} whose connections all stopped beating, publishing their leaves (the supervisor: waits for room). */
    void expire(String group) {
        byte[] header = event(group, String.valueOf(LEAVE));
        eval(true, EXPIRE_SCRIPT, new byte[][] {bytes(usersPrefix + group)}, now(), bytes(Long.toString(ttl)),
                utf8(connsPrefix + group + ":"), bytes(channelPrefix + group), header, bytes(Integer.toString(EXPIRE_BATCH)));
    }

    /** The users of {@code group} with a live heartbeat, sorted (waits up to {@code redisCommandTimeout}). */
    SortedSet<String> users(String group) {
        long cutoff = System.currentTimeMillis() - ttl;
        List<byte[]> users = commands.call(() -> redis.zrangebyscore(bytes(usersPrefix + group),
                io.lettuce.core.Range.create((double) cutoff, Double.POSITIVE_INFINITY)), "reading the presence in " + group);
        var out = new TreeSet<String>();
        for (byte[] u : users) out.add(new String(u, StandardCharsets.UTF_8));
        return out;
    }

    /** An event as published: an envelope of kind {@link Envelope#PRESENCE} whose payload is {@code change}. */
    static byte[] event(String group, String change) {
        return new Envelope(Envelope.PRESENCE, "", 0, group, change.getBytes(StandardCharsets.UTF_8)).encode();
    }

    /** Delivers a published event to this server's members of the group. */
    static void received(ChannelLayer layer, String group, byte[] payload) {
        String change = new String(payload, StandardCharsets.UTF_8);
        if (change.isEmpty()) return;
        if (change.charAt(0) == JOIN) {
            int space = change.indexOf(' ');
            if (space < 0) return;
            layer.deliverPresence(group, change.substring(space + 1), true, change.substring(1, space));
        } else if (change.charAt(0) == LEAVE) {
            layer.deliverPresence(group, change.substring(1), false, null);
        }
    }

    /** Sends a presence script without waiting for its answer; {@code mayWait}: waits for room in flight first. */
    private void eval(boolean mayWait, String script, byte[][] keys, byte[]... args) {
        java.util.function.Supplier<RedisFuture<Long>> command = () -> {
            RedisFuture<Long> f = redis.eval(script, ScriptOutputType.INTEGER, keys, args);
            f.whenComplete((r, e) -> {
                if (e != null) ChannelLayer.log(System.Logger.Level.DEBUG, "channel layer: presence update failed (redone by the next heartbeat or expiry)", e);
            });
            return f;
        };
        if (mayWait) {
            commands.issue(command); // throws if no room in time: the join fails rather than going unrecorded
            return;
        }
        try {
            if (!commands.offer(command))
                ChannelLayer.log(System.Logger.Level.DEBUG, "channel layer: presence update not sent: redisRequestQueue full (the heartbeats expire)", null);
        } catch (RuntimeException e) {
            ChannelLayer.log(System.Logger.Level.DEBUG, "channel layer: presence update not sent", e);
        }
    }

    private static byte[] now() { return bytes(Long.toString(System.currentTimeMillis())); }

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    private static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }
}
