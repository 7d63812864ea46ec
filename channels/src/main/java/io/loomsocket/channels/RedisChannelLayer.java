package io.loomsocket.channels;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.loomsocket.Message;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The channel layer for several servers ({@code CHANNEL_LAYER=redis://host:port/db}), on Lettuce.
 *
 * <h2>How it works</h2>
 * <ul>
 *   <li>Fan-out is Redis pub/sub: a group send delivers to this server's members directly, then
 *       PUBLISHes to {@code <prefix>:g:<group>}; each server subscribes to the groups it has
 *       members of and skips what it published itself. A send to another server's channel
 *       PUBLISHes to {@code <prefix>:s:<server>}.</li>
 *   <li>Membership is also kept, as in Channels, in a sorted set {@code <prefix>:group:<group>}
 *       (member = channel name, score = last refresh) with {@code groupExpiry}; live members are
 *       refreshed every third of it, so the members of a crashed server expire.</li>
 *   <li>Order: one connection carries every PUBLISH, written in the order they were sent, and
 *       Redis delivers one channel's messages to a subscriber in publish order.</li>
 *   <li>Redis down: PUBLISH fails at once (commands are rejected while disconnected) and is
 *       counted in {@link ChannelStats#publishFailed()} and in the current {@link Outage}; local
 *       delivery goes on; Lettuce reconnects with exponential backoff (100 ms doubling up to
 *       {@code redisReconnectMax}); on reconnection the layer resubscribes, re-records its
 *       memberships and logs the outage. Each message carries a sequence number per sender and
 *       Redis channel, so a receiver counts messages it missed ({@link ChannelStats#remoteMissed()}).
 *       A PUBLISH written just before the connection broke is resent by Lettuce after reconnection
 *       (late, still in order). Nothing is replayed otherwise: pub/sub is at most once.</li>
 *   <li>History groups ({@link ChannelLayer#keepHistory}) go through a Redis stream per group
 *       instead of pub/sub ({@link RedisHistory}); presence is kept in sorted sets changed by Lua
 *       scripts that publish the join and leave events ({@link RedisPresence}).</li>
 *   <li>{@code redis-sentinel://} URIs: Lettuce asks the Sentinels for the master, and again at
 *       every reconnection, so the layer follows a failover like any other outage (logged with
 *       what it could not deliver meanwhile).</li>
 *   <li>Slow Redis: PUBLISH has no timeout (a slow one arrives late rather than being cancelled).
 *       Each connection has at most {@code redisRequestQueue} commands in flight, and the
 *       connection for commands at most {@code redisRequestQueueBytes} of messages
 *       ({@link InFlightLimit}): joins and reads wait for room (up to {@code redisRequestQueueTimeout}),
 *       publishes never wait: beyond it they fail and are counted. Membership commands sent under
 *       locks or on Lettuce's event loop do not wait either: when refused, the supervisor
 *       re-records every membership and subscription soon after.</li>
 * </ul>
 */
public final class RedisChannelLayer extends ChannelLayer {
    /** How often the supervisor checks the connections. */
    static final Duration CHECK_INTERVAL = Duration.ofMillis(100);
    /** Bound of the sequence maps (per Redis channel sent to / received from); cleared when reached. */
    static final int MAX_SEQUENCES = 100_000;

    private final String where;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> conn;
    private final StatefulRedisPubSubConnection<byte[], byte[]> sub;
    private final RedisAsyncCommands<byte[], byte[]> redis;
    /** Bounds the commands in flight on {@link #conn}, and on {@link #sub}. */
    private final InFlightLimit commands, subscriptions;
    private final OutageLog outages;
    private final String groupChannelPrefix, serverChannelPrefix, groupKeyPrefix;
    private final byte[] ownChannel;
    private final ReentrantLock publishLock = new ReentrantLock();
    private final Map<String, Long> sentSeq = new ConcurrentHashMap<>();     // Redis channel -> last seq sent
    private final Map<String, Long> receivedSeq = new ConcurrentHashMap<>(); // Redis channel + "|" + origin -> last seq seen
    private final RedisPresence presence;
    private final RedisHistory history;
    private final Thread supervisor;
    private volatile boolean closing;
    /** A membership or subscription command was refused (no room): the supervisor re-records them all. */
    private volatile boolean membershipStale;
    private volatile long lastFailureLog = System.nanoTime() - 2_000_000_000L;

    /**
     * Connects to Redis (URI as Lettuce reads it: {@code redis://[password@]host[:port][/db]}).
     *
     * @throws IllegalStateException if Redis cannot be reached now
     */
    public RedisChannelLayer(String uri, ChannelLayerSettings settings) { this(uri, settings, RealtimeSettings.defaults()); }

    /**
     * Connects to Redis: {@code redis://[password@]host[:port][/db]}, or through Sentinels,
     * {@code redis-sentinel://host:port[,host:port...][/db]#masterName}.
     *
     * @throws IllegalStateException if Redis cannot be reached now
     */
    public RedisChannelLayer(String uri, ChannelLayerSettings settings, RealtimeSettings realtime) {
        super(settings, realtime);
        RedisURI redisUri;
        try {
            redisUri = RedisURI.create(uri);
        } catch (RuntimeException e) { // Lettuce's messages may quote the URI, password included
            throw new IllegalArgumentException("channel layer: malformed Redis URL '" + ChannelLayers.withoutUserInfo(uri)
                    + "' (expected redis://[:password@]host[:port][/db] or redis-sentinel://host:port[/db]#master): "
                    + e.getClass().getSimpleName());
        }
        this.where = redisUri.getSentinels().isEmpty()
                ? redisUri.getHost() + ":" + redisUri.getPort() + "/" + redisUri.getDatabase()
                : "master " + redisUri.getSentinelMasterId() + " of Sentinel " + redisUri.getSentinels().stream()
                        .map(s -> s.getHost() + ":" + s.getPort()).collect(Collectors.joining(",")) + " /" + redisUri.getDatabase();
        this.outages = new OutageLog(where);
        String p = settings.keyPrefix();
        this.groupChannelPrefix = p + ":g:";
        this.serverChannelPrefix = p + ":s:";
        this.groupKeyPrefix = p + ":group:";
        this.ownChannel = bytes(serverChannelPrefix + serverId);
        this.resources = ClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), settings.redisReconnectMax(), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, redisUri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                // above the layer's own bound (InFlightLimit): the client never refuses a command for lack of room
                .requestQueueSize(InFlightLimit.lettuceQueueSize(settings.redisRequestQueue()))
                // no per-command timeout: a PUBLISH that is merely slow is delivered late, not cancelled and lost;
                // waits that matter (groupMembers, resubscribing) have their own limit, redisCommandTimeout
                .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build())
                .build());
        try {
            this.conn = client.connect(ByteArrayCodec.INSTANCE);
            this.sub = client.connectPubSub(ByteArrayCodec.INSTANCE);
        } catch (RuntimeException e) {
            client.shutdown(0, 2, TimeUnit.SECONDS);
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            throw new IllegalStateException("channel layer: cannot connect to Redis at " + where + ": " + e.getMessage(), e);
        }
        this.redis = conn.async();
        int queue = settings.redisRequestQueue();
        this.commands = new InFlightLimit(where, queue, InFlightLimit.sendReserveOf(queue), settings.redisRequestQueueBytes(),
                settings.redisRequestQueueTimeout(), settings.redisCommandTimeout());
        // no sends on the subscription connection: its reserve only keeps the subscribing joins to a quarter in flight
        this.subscriptions = new InFlightLimit(where + " (subscriptions)", queue, InFlightLimit.sendReserveOf(queue), settings.redisRequestQueueBytes(),
                settings.redisRequestQueueTimeout(), settings.redisCommandTimeout());
        this.presence = new RedisPresence(this, redis, commands, p, groupChannelPrefix);
        RedisHistory h;
        try {
            h = new RedisHistory(this, client, redis, commands, p);
        } catch (RuntimeException e) {
            sub.close();
            conn.close();
            client.shutdown(0, 2, TimeUnit.SECONDS);
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            throw new IllegalStateException("channel layer: cannot connect to Redis at " + where + ": " + e.getMessage(), e);
        }
        this.history = h;
        sub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] channel, byte[] message) { received(channel, message); }
        });
        try {
            sub.sync().subscribe(ownChannel);
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException("channel layer: cannot subscribe at Redis " + where + ": " + e.getMessage(), e);
        }
        this.supervisor = Thread.ofVirtual().name("loomsocket-channels-redis").start(this::supervise);
        startSweeper();
    }

    /** This server's id: the part of its channel names before {@code !}. */
    public String serverId() { return serverId; }

    @Override
    public Set<String> groupMembers(String group) {
        checkGroup(group);
        byte[] key = bytes(groupKeyPrefix + group);
        long now = System.currentTimeMillis();
        commands.issue(() -> redis.zremrangebyscore(key, io.lettuce.core.Range.create(0, now - settings.groupExpiry().toMillis())));
        List<byte[]> members = commands.call(() -> redis.zrange(key, 0, -1), "reading group " + group);
        Set<String> out = new HashSet<>();
        for (byte[] m : members) out.add(new String(m, StandardCharsets.US_ASCII));
        return Set.copyOf(out);
    }

    // ---- publishing ----

    @Override
    void sendRemote(String server, String channelName, Message message) {
        publish(serverChannelPrefix + server, Envelope.of(message, serverId, channelName));
    }

    @Override
    void publishGroup(String group, Message message) {
        publish(groupChannelPrefix + group, Envelope.of(message, serverId, group));
    }

    @Override
    void remoteGroupChange(String server, boolean add, String group, String channelName) {
        publish(serverChannelPrefix + server, new Envelope(add ? Envelope.GROUP_ADD : Envelope.GROUP_DISCARD,
                serverId, 0, channelName, bytes(group)));
    }

    /**
     * Stamps the next sequence number of {@code channel} and PUBLISHes, in that order, without
     * waiting: with no room in flight ({@link InFlightLimit#offerSend}) it fails and is counted
     * (its sequence number is used, so receivers count it missed too).
     */
    private void publish(String channel, Envelope envelope) {
        if (outages.isDown()) { // known outage: count without consuming a sequence number (receivers would count it again)
            counters.publishFailed.increment();
            outages.undelivered("still down");
            return;
        }
        byte[] payload = envelope.encode();
        byte[] ch = bytes(channel);
        publishLock.lock(); // sequence order == write order on the one connection
        try {
            if (sentSeq.size() >= MAX_SEQUENCES && !sentSeq.containsKey(channel)) sentSeq.clear(); // receivers see a restart
            long seq = sentSeq.merge(channel, 1L, Long::sum);
            Envelope.stampSeq(payload, envelope.seqOffset(), seq);
            boolean sent = commands.offerSend(payload.length, () -> {
                CompletionStage<Long> f = redis.publish(ch, payload);
                f.whenComplete((n, e) -> {
                    if (e != null) publishFailed(e);
                });
                return f;
            });
            if (!sent) publishFailed(new IllegalStateException(
                    "redisRequestQueue or redisRequestQueueBytes full (" + settings.redisRequestQueue() + " commands, "
                            + settings.redisRequestQueueBytes() + " bytes in flight)"));
        } catch (RuntimeException e) {
            publishFailed(e);
        } finally {
            publishLock.unlock();
        }
    }

    void publishFailed(Throwable e) {
        counters.publishFailed.increment();
        String why = e.getClass().getSimpleName() + ": " + e.getMessage();
        if (!remoteConnected()) {
            outages.undelivered(why); // starts the outage if the supervisor has not yet noticed
        } else if (!outages.countIfDown()) { // connected, e.g. the request queue is full: counted, logged at most once a second
            long now = System.nanoTime();
            long last = lastFailureLog;
            if (now - last > 1_000_000_000L) {
                lastFailureLog = now;
                log(Level.WARNING, "channel layer: a message for other servers could not be handed to Redis at " + where
                        + " (" + why + "); counted in publishFailed", null);
            }
        }
    }

    // ---- receiving (on Lettuce's event loop: never block here) ----

    private void received(byte[] channelBytes, byte[] bytes) {
        String channel = new String(channelBytes, StandardCharsets.US_ASCII);
        Envelope e;
        try {
            e = Envelope.decode(bytes);
        } catch (IllegalArgumentException ex) {
            log(Level.WARNING, "channel layer: ignored a foreign message on Redis channel " + channel, ex);
            return;
        }
        if (e.kind() == Envelope.PRESENCE) { // from a Lua script, to every server (this one too), in the order of the changes
            if (channel.startsWith(groupChannelPrefix)) RedisPresence.received(this, channel.substring(groupChannelPrefix.length()), e.payload());
            return;
        }
        if (e.origin().equals(serverId)) return; // delivered locally when sent
        checkSequence(channel, e);
        try {
            switch (e.kind()) {
                case Envelope.TEXT, Envelope.BINARY -> {
                    if (channel.startsWith(groupChannelPrefix)) deliverLocalGroup(channel.substring(groupChannelPrefix.length()), e.message());
                    else deliverLocalChannel(e.target(), e.message());
                }
                case Envelope.GROUP_ADD, Envelope.GROUP_DISCARD -> {
                    String group = new String(e.payload(), StandardCharsets.US_ASCII);
                    var ch = channel(e.target());
                    if (ch.isEmpty()) counters.unknownChannel.increment();
                    else if (e.kind() == Envelope.GROUP_ADD) addLocal(group, ch.get());
                    else removeLocal(group, ch.get());
                }
                default -> throw new IllegalArgumentException("kind " + e.kind());
            }
        } catch (RuntimeException ex) {
            log(Level.WARNING, "channel layer: could not deliver a message from " + e.origin() + " on " + channel, ex);
        }
    }

    private void checkSequence(String channel, Envelope e) {
        String key = channel + "|" + e.origin();
        if (receivedSeq.size() >= MAX_SEQUENCES && !receivedSeq.containsKey(key)) receivedSeq.clear();
        Long last = receivedSeq.put(key, e.seq());
        if (last != null && e.seq() > last + 1) {
            long missed = e.seq() - last - 1;
            counters.remoteMissed.add(missed);
            log(Level.ERROR, "channel layer: missed " + missed + " message(s) from server " + e.origin() + " on Redis channel "
                    + channel + " (sequence " + (last + 1) + ".." + (e.seq() - 1) + "): lost in transit while a subscription was down, "
                    + "or refused by Redis just before that server noticed an outage", null);
        }
    }

    // ---- membership ----

    // These run inside the local group map's compute() or on Lettuce's event loop: they only
    // dispatch commands. What fails while Redis is away is redone by refresh(true) once it is back.

    @Override
    void firstLocalMember(String group) {
        dispatch(subscriptions, () -> sub.async().subscribe(bytes(groupChannelPrefix + group)));
    }

    @Override
    void lastLocalMemberGone(String group) {
        String ch = groupChannelPrefix + group;
        dispatch(subscriptions, () -> sub.async().unsubscribe(bytes(ch)));
        receivedSeq.keySet().removeIf(k -> k.startsWith(ch + "|"));
        history.groupGone(group);
    }

    // ---- history and presence ----

    @Override
    void sendKept(History h, String group, Message message) {
        if (outages.isDown()) { // known outage: the group's one sequence is in Redis, so nobody gets it
            counters.publishFailed.increment();
            outages.undelivered("still down");
            return;
        }
        history.append(h, group, message);
    }

    @Override
    boolean joinKept(History h, String group, Channel ch, MessageId since, Function<Boolean, Message> marker) {
        return history.join(h, group, ch, since, marker);
    }

    @Override
    SortedSet<String> presenceJoin(String group, Channel ch, String user) {
        // subscribed before the join: this server sees every event after the snapshot below
        subscriptions.call(() -> sub.async().subscribe(bytes(groupChannelPrefix + group)), "subscribing to " + group);
        presence.join(group, ch.name(), user);
        return presence.users(group); // after the join: commands run in order on the one connection
    }

    @Override
    void presenceLeave(String group, String channelName, String user) { presence.leave(group, channelName, user); }

    @Override
    SortedSet<String> presenceUsers(String group) { return presence.users(group); }

    /** Beats for every present connection of this server, and removes the expired users of its groups. */
    private void beat() {
        var groups = new HashSet<String>();
        for (Channel ch : localChannels()) {
            String user = ch.user();
            if (user == null) continue;
            for (String g : ch.tracked) {
                presence.join(g, ch.name(), user);
                groups.add(g);
            }
        }
        for (String g : groups) presence.expire(g);
    }

    @Override
    void memberAdded(String group, String channelName) {
        byte[] key = bytes(groupKeyPrefix + group);
        dispatch(commands, () -> redis.zadd(key, (double) System.currentTimeMillis(), bytes(channelName)));
        dispatch(commands, () -> redis.expire(key, settings.groupExpiry().toSeconds()));
    }

    @Override
    void memberRemoved(String group, String channelName) {
        dispatch(commands, () -> redis.zrem(bytes(groupKeyPrefix + group), bytes(channelName)));
    }

    /**
     * Sends a membership or subscription command without waiting (the caller may hold the group
     * map's lock or be on Lettuce's event loop). Refused for lack of room, it is redone with every
     * other by the supervisor soon after; failed with Redis away, once Redis is back.
     */
    private void dispatch(InFlightLimit limit, java.util.function.Supplier<? extends CompletionStage<?>> command) {
        try {
            if (!limit.offer(command)) membershipStale = true;
        } catch (RuntimeException e) {
            membershipStale = true;
            log(Level.DEBUG, "channel layer: Redis command not sent (redone later)", e);
        }
    }

    /** Re-records every local membership with a fresh score (and the groups' subscriptions if asked). */
    private void refresh(boolean resubscribe) {
        double now = System.currentTimeMillis();
        Map<String, List<String>> memberships = localMemberships();
        if (resubscribe) { // Lettuce resubscribes by itself too; this waits until Redis confirmed (on the supervisor's thread)
            var channels = new java.util.ArrayList<byte[]>();
            channels.add(ownChannel);
            for (String g : memberships.keySet()) channels.add(bytes(groupChannelPrefix + g));
            subscriptions.call(() -> sub.async().subscribe(channels.toArray(byte[][]::new)), "resubscribing");
        }
        for (var entry : memberships.entrySet()) {
            if (entry.getValue().isEmpty()) continue;
            @SuppressWarnings("unchecked")
            ScoredValue<byte[]>[] values = entry.getValue().stream().map(c -> ScoredValue.just(now, bytes(c))).toArray(ScoredValue[]::new);
            byte[] key = bytes(groupKeyPrefix + entry.getKey());
            commands.issue(() -> redis.zadd(key, values));
            commands.issue(() -> redis.expire(key, settings.groupExpiry().toSeconds()));
        }
    }

    /** Watches both connections: reports outages, resubscribes after them, refreshes memberships. */
    private void supervise() {
        long refreshEvery = Math.max(1, settings.groupExpiry().toMillis() / 3);
        long nextRefresh = System.currentTimeMillis() + refreshEvery;
        long beatEvery = Math.max(10, realtime.presenceTimeout().toMillis() / 3);
        long nextBeat = System.currentTimeMillis() + beatEvery;
        while (!closing) {
            try {
                Thread.sleep(CHECK_INTERVAL);
            } catch (InterruptedException e) {
                return;
            }
            try {
                boolean up = conn.isOpen() && sub.isOpen();
                if (!up) {
                    outages.down(conn.isOpen() ? "subscription connection lost" : "connection lost");
                } else if (outages.isDown()) {
                    membershipStale = false;
                    refresh(true); // throws if Redis is not really back yet: tried again at the next check
                    beat();
                    outages.up();
                } else if (membershipStale) {
                    membershipStale = false; // cleared first: a command refused meanwhile sets it again
                    try {
                        refresh(true);
                    } catch (RuntimeException e) {
                        membershipStale = true; // tried again at the next check
                        throw e;
                    }
                } else {
                    long now = System.currentTimeMillis();
                    if (now >= nextRefresh) {
                        refresh(false);
                        nextRefresh = now + refreshEvery;
                    }
                    if (now >= nextBeat) {
                        beat();
                        nextBeat = now + beatEvery;
                    }
                    history.unblockIfStale();
                }
            } catch (RuntimeException e) {
                log(Level.DEBUG, "channel layer: Redis not ready yet", e);
            }
        }
    }

    @Override
    boolean remoteConnected() { return conn.isOpen() && sub.isOpen(); }

    @Override
    List<Outage> outages() { return outages.snapshot(); }

    @Override
    void closeRemote() {
        closing = true;
        if (supervisor != null) supervisor.interrupt();
        if (history != null) history.close();
        try { // commands run in order: once PING answers, the ZREMs of the detached channels are done
            commands.call(redis::ping, "the closing PING");
        } catch (RuntimeException e) {
            log(Level.DEBUG, "channel layer: Redis did not answer the closing PING (memberships expire instead)", e);
        }
        try {
            sub.close();
            conn.close();
        } catch (RuntimeException e) {
            log(Level.DEBUG, "channel layer: closing Redis connections", e);
        }
        client.shutdown(0, 2, TimeUnit.SECONDS);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.US_ASCII); }
}
