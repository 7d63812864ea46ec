package io.loomsocket.channels;

import io.lettuce.core.KeyValue;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.UnblockType;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.loomsocket.Message;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * History groups of the Redis layer: one stream {@code <prefix>:h:<group>} per group, whose entry
 * ids are the message ids, and a hash {@code <prefix>:hm:<group>} recording when the stream began
 * ({@code born}) and the newest id trimmed away ({@code trimmed}).
 *
 * <p>A send appends with one Lua script (XADD, then trims to {@code maxMessages} and
 * {@code maxAge}, recording what it trimmed), without waiting. Nobody delivers it directly, not
 * even on the sending server: each server has one reader (its own connection, XREAD BLOCK over
 * every history group it has members in) that hands each entry, in stream order, to the local
 * members. So every member on every server gets a group's messages in the order of their ids.
 *
 * <p>A member that resumes reads the stream after its last id (XRANGE, {@code historyReadBatch}
 * entries at a time, written to its connection on its own thread), then joins under the
 * delivery lock: if the reader is behind it, the reader skips what it already had; if the reader
 * is ahead, it reads again. No entry is missed or given twice.
 */
final class RedisHistory {
    /** How long one XREAD waits for new entries before the reader looks at its groups again (ms). */
    static final long BLOCK_MS = 2000;

    private static final String APPEND_SCRIPT = """
            local id = redis.call('XADD', KEYS[1], '*', 'd', ARGV[4])
            redis.call('HSETNX', KEYS[2], 'born', id)
            local trimmed = nil
            local over = redis.call('XLEN', KEYS[1]) - tonumber(ARGV[1])
            if over > 0 then
              local r = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', over)
              trimmed = r[#r][1]
              redis.call('XTRIM', KEYS[1], 'MAXLEN', tonumber(ARGV[1]))
            end
            local old = redis.call('XREVRANGE', KEYS[1], '(' .. ARGV[2], '-', 'COUNT', 1)
            if #old > 0 then
              trimmed = old[1][1]
              redis.call('XTRIM', KEYS[1], 'MINID', ARGV[2])
            end
            if trimmed then redis.call('HSET', KEYS[2], 'trimmed', trimmed) end
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            redis.call('PEXPIRE', KEYS[2], ARGV[3])
            return id""";

    private final RedisChannelLayer layer;
    private final RedisAsyncCommands<byte[], byte[]> redis;
    private final InFlightLimit commands;
    private final StatefulRedisConnection<byte[], byte[]> readerConn;
    private final String streamPrefix, markPrefix;
    /** Groups with members on this server -> the last id the reader delivered (or the first joiner's resume point). */
    private final Map<String, MessageId> positions = new ConcurrentHashMap<>();
    /** Held while the reader hands entries to members, and while a resuming member joins. */
    private final ReentrantLock delivery = new ReentrantLock();
    private final ReentrantLock idle = new ReentrantLock();
    private final Condition groupsChanged = idle.newCondition();
    private final AtomicLong generation = new AtomicLong();
    private volatile long readerGeneration;
    private volatile long readerClientId = -1;
    private volatile boolean blocked;
    private volatile boolean closing;
    private final Thread reader;

    RedisHistory(RedisChannelLayer layer, RedisClient client, RedisAsyncCommands<byte[], byte[]> redis, InFlightLimit commands,
            String keyPrefix) {
        this.layer = layer;
        this.redis = redis;
        this.commands = commands;
        this.streamPrefix = keyPrefix + ":h:";
        this.markPrefix = keyPrefix + ":hm:";
        this.readerConn = client.connect(ByteArrayCodec.INSTANCE);
        this.reader = Thread.ofVirtual().name("loomsocket-channels-history").start(this::read);
    }

    // ---- sending ----

    /** Never waits: with no room in flight ({@link InFlightLimit#offerSend}) the send fails and is counted. */
    void append(History h, String group, Message message) {
        byte[] data = new byte[message.length() + 1];
        data[0] = (byte) (message.isText() ? 't' : 'b');
        System.arraycopy(message.bytes(), 0, data, 1, message.length());
        long now = System.currentTimeMillis();
        String cutoff = Math.max(0, now - h.limits().maxAge().toMillis()) + "-0";
        try {
            boolean sent = commands.offerSend(data.length, () -> {
                RedisFuture<byte[]> f = redis.eval(APPEND_SCRIPT, ScriptOutputType.VALUE,
                        new byte[][] {bytes(streamPrefix + group), bytes(markPrefix + group)},
                        bytes(Integer.toString(h.limits().maxMessages())), bytes(cutoff),
                        bytes(Long.toString(h.limits().maxAge().toMillis())), data);
                f.whenComplete((id, e) -> {
                    if (e != null) layer.publishFailed(e);
                });
                return f;
            });
            if (!sent) layer.publishFailed(new IllegalStateException("redisRequestQueue or redisRequestQueueBytes full"));
        } catch (RuntimeException e) {
            layer.publishFailed(e);
        }
    }

    // ---- joining ----

    boolean join(History h, String group, Channel ch, MessageId since, Function<Boolean, Message> marker) {
        byte[] stream = bytes(streamPrefix + group);
        boolean complete = true;
        MessageId cursor = since;
        if (cursor == null) {
            delivery.lock();
            try {
                if (positions.containsKey(group)) { // the reader is reading the group: live from its position on
                    layer.addLocal(group, ch);
                    return true;
                }
            } finally {
                delivery.unlock();
            }
            List<StreamMessage<byte[], byte[]>> last = await(() -> redis.xrevrange(stream, Range.unbounded(), Limit.create(0, 1)), group);
            cursor = last.isEmpty() ? MessageId.ZERO : MessageId.parse(last.getFirst().getId());
        } else {
            complete = keptAfter(group, since);
        }
        int batch = layer.realtime.historyReadBatch();
        while (true) {
            String after = cursor.toString();
            List<StreamMessage<byte[], byte[]>> entries = await(() -> redis.xrange(stream,
                    Range.from(Range.Boundary.excluding(after), Range.Boundary.unbounded()), Limit.create(0, batch)), group);
            if (!entries.isEmpty() && since != null && complete && !keptAfter(group, cursor)) complete = false; // trimmed meanwhile
            for (var e : entries) {
                MessageId id = MessageId.parse(e.getId());
                ch.webSocket().send(h.stamped(id, message(e)));
                cursor = id;
            }
            if (entries.size() == batch) continue;
            delivery.lock();
            try {
                MessageId pos = positions.get(group);
                if (pos != null && pos.after(cursor)) continue; // the reader is ahead: read up to it first
                if (marker != null) layer.deliver(ch, marker.apply(complete));
                if (pos != null && cursor.after(pos)) ch.resumedAt.put(group, cursor); // the reader is behind: skips up to cursor for ch
                layer.addLocal(group, ch);
                if (pos == null && ch.groups.contains(group)) {
                    positions.put(group, cursor);
                    wake();
                }
                return complete;
            } finally {
                delivery.unlock();
            }
        }
    }

    /** Whether every entry after {@code since} is still in the stream (a round trip). */
    private boolean keptAfter(String group, MessageId since) {
        List<KeyValue<byte[], byte[]>> mark = await(() -> redis.hmget(bytes(markPrefix + group), bytes("born"), bytes("trimmed")), group);
        if (!mark.get(0).hasValue()) return false; // no history at all (expired, or Redis lost it): nothing is known to be kept
        MessageId born = MessageId.parse(new String(mark.get(0).getValue(), StandardCharsets.US_ASCII));
        if (since.before(born)) return false;
        return !mark.get(1).hasValue() || !since.before(MessageId.parse(new String(mark.get(1).getValue(), StandardCharsets.US_ASCII)));
    }

    /** The last local member of {@code group} left (called inside the group map's compute: never blocks). */
    void groupGone(String group) {
        if (positions.remove(group) != null) generation.incrementAndGet();
    }

    // ---- the reader ----

    private void read() {
        RedisCommands<byte[], byte[]> sync = readerConn.sync();
        int batch = layer.realtime.historyReadBatch();
        while (!closing) {
            try {
                if (readerClientId < 0) readerClientId = sync.clientId();
                long gen = generation.get();
                readerGeneration = gen;
                var groups = new ArrayList<>(positions.entrySet());
                if (groups.isEmpty()) {
                    idle.lock();
                    try {
                        if (generation.get() == gen && !closing) groupsChanged.await(BLOCK_MS, TimeUnit.MILLISECONDS);
                    } finally {
                        idle.unlock();
                    }
                    continue;
                }
                @SuppressWarnings("unchecked")
                XReadArgs.StreamOffset<byte[]>[] offsets = groups.stream()
                        .map(e -> XReadArgs.StreamOffset.from(bytes(streamPrefix + e.getKey()), e.getValue().toString()))
                        .toArray(XReadArgs.StreamOffset[]::new);
                blocked = true;
                List<StreamMessage<byte[], byte[]>> got;
                try {
                    got = sync.xread(XReadArgs.Builder.block(BLOCK_MS).count(batch), offsets);
                } finally {
                    blocked = false;
                }
                if (got != null && !got.isEmpty()) deliver(got);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closing) return;
                readerClientId = -1; // a reconnected connection has a new id
                ChannelLayer.log(Level.DEBUG, "channel layer: reading history streams failed; trying again", e);
                try {
                    Thread.sleep(RedisChannelLayer.CHECK_INTERVAL);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void deliver(List<StreamMessage<byte[], byte[]>> got) {
        delivery.lock();
        try {
            for (var e : got) {
                String group = new String(e.getStream(), StandardCharsets.US_ASCII).substring(streamPrefix.length());
                MessageId id = MessageId.parse(e.getId());
                MessageId pos = positions.get(group);
                if (pos == null || !id.after(pos)) continue; // group left, or already had (a joiner set the position)
                History h = layer.historyOf(group);
                if (h != null) layer.deliverLocalKept(group, id, h.stamped(id, message(e)));
                positions.replace(group, pos, id);
            }
        } finally {
            delivery.unlock();
        }
    }

    /** Makes the reader include a new group now: it may be blocked in XREAD on the old list. */
    private void wake() {
        generation.incrementAndGet();
        idle.lock();
        try {
            groupsChanged.signalAll();
        } finally {
            idle.unlock();
        }
        unblockIfStale();
    }

    /** Called by the supervisor too: unblocks the reader while its XREAD lacks a group (CLIENT UNBLOCK). */
    void unblockIfStale() {
        long id = readerClientId;
        if (blocked && id >= 0 && readerGeneration != generation.get()) {
            try { // never waits (called under the delivery lock); with no room, the supervisor tries again
                commands.offer(() -> redis.clientUnblock(id, UnblockType.TIMEOUT));
            } catch (RuntimeException e) {
                ChannelLayer.log(Level.DEBUG, "channel layer: CLIENT UNBLOCK not sent", e);
            }
        }
    }

    void close() {
        closing = true;
        reader.interrupt();
        unblockIfStale();
        generation.incrementAndGet();
        unblockIfStale();
        try {
            readerConn.close();
        } catch (RuntimeException e) {
            ChannelLayer.log(Level.DEBUG, "channel layer: closing the history reader's connection", e);
        }
    }

    private static Message message(StreamMessage<byte[], byte[]> e) {
        byte[] data = e.getBody().values().iterator().next();
        byte[] payload = Arrays.copyOfRange(data, 1, data.length);
        return data[0] == 't' ? Message.text(new String(payload, StandardCharsets.UTF_8)) : Message.binary(payload);
    }

    /** Waits for room in flight, then for the answer (each up to {@code redisCommandTimeout}). */
    private <T> T await(java.util.function.Supplier<RedisFuture<T>> command, String group) {
        return commands.call(command, "reading the history of " + group);
    }

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.US_ASCII); }
}
