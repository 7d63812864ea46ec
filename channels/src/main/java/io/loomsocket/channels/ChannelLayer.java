package io.loomsocket.channels;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Groups and broadcast over WebSockets, after Django Channels' channel layer: every attached
 * WebSocket has a channel name; any thread (on any server, with Redis) can send to a channel
 * name or to a group; groups are joined and left by channel name.
 *
 * <pre>{@code
 * ChannelLayer layer = ChannelLayers.fromSetting(System.getenv("CHANNEL_LAYER"));
 * // in a WebSocket view:
 * try (Channel ch = layer.attach(ws)) {
 *     ch.groupAdd("chat_lobby");
 *     for (Message m : ws) layer.groupSend("chat_lobby", m);
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Sending never waits for a recipient: each attached connection has a bounded outbox
 *       ({@link ChannelLayerSettings#outboxCapacity()} messages, {@link ChannelLayerSettings#outboxMaxBytes()}
 *       bytes) drained by its own virtual thread; a full
 *       outbox applies the {@link OverflowPolicy} and counts what it dropped.</li>
 *   <li>Messages one thread sends to one group (or channel) arrive at each member in the order
 *       they were sent, on this server and, with Redis, on the others.</li>
 *   <li>Membership ends when the connection closes: at the next send to it, or within
 *       {@link ChannelLayerSettings#sweepInterval()}.</li>
 *   <li>Groups named by {@link #keepHistory} keep their recent messages: each gets an id, every
 *       member on every server receives them in the order of their ids, and a member that comes
 *       back with the last id it saw ({@link Channel#resume}) gets exactly what it missed, then
 *       the live messages, and is told when some of what it missed is no longer kept.</li>
 *   <li>Presence ({@link Channel#track}): which users are in a group, on every server, with join
 *       and leave events; a user leaves when their last connection goes, or when their server
 *       stops beating ({@link RealtimeSettings#presenceTimeout()}).</li>
 *   <li>{@link #sendToUser} reaches every connection {@link Channel#identify identified} as that
 *       user, on every server.</li>
 * </ul>
 * Names: groups are 1 to 99 ASCII letters, digits, {@code -}, {@code _}, {@code .}; channel names
 * are made by the layer ({@code <server>!<connection id>}).
 */
public abstract sealed class ChannelLayer implements AutoCloseable permits MemoryChannelLayer, RedisChannelLayer {
    private static final System.Logger LOG = System.getLogger(ChannelLayer.class.getName());
    private static final Pattern GROUP = Pattern.compile(ChannelLayerSettings.NAME_CHARS + "{1,99}");
    static final Pattern CHANNEL = Pattern.compile("(" + ChannelLayerSettings.NAME_CHARS + "{1,40})!(" + ChannelLayerSettings.NAME_CHARS + "{1,59})");
    private static final Pattern LOCAL_ID = Pattern.compile(ChannelLayerSettings.NAME_CHARS + "{1,59}");
    /** The attribute under which {@link #attach} stores the channel name in {@link WebSocket#attributes()}. */
    public static final String CHANNEL_NAME_ATTRIBUTE = "channel_name";

    /** Prefix of the internal group of each user's connections ({@link #sendToUser}). */
    static final String USER_GROUP_PREFIX = "user.";
    final ChannelLayerSettings settings;
    final RealtimeSettings realtime;
    final Counters counters = new Counters();
    private final CopyOnWriteArrayList<History> histories = new CopyOnWriteArrayList<>();
    private volatile Function<PresenceEvent, Message> presenceFormat = e -> Message.text(e.toJson());
    /** This server's part of every channel name: unique per layer instance. */
    final String serverId;
    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<Channel>> groups = new ConcurrentHashMap<>();
    private final AtomicLong localIds = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread sweeper;

    ChannelLayer(ChannelLayerSettings settings, RealtimeSettings realtime) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.realtime = Objects.requireNonNull(realtime, "realtime");
        this.serverId = randomId();
        this.sweeper = Thread.ofVirtual().name("loomsocket-channels-sweeper").unstarted(this::sweep);
    }

    /** Subclasses call this at the end of their constructor. */
    final void startSweeper() { sweeper.start(); }

    // ---- public API ----

    /**
     * Gives {@code ws} a channel name and an outbox (stored in {@code ws.attributes()} under
     * {@value #CHANNEL_NAME_ATTRIBUTE}). Attaching the same WebSocket again returns the same channel.
     *
     * @throws IllegalStateException if the WebSocket or the layer is closed
     */
    public Channel attach(WebSocket ws) {
        Objects.requireNonNull(ws, "ws");
        if (closed.get()) throw new IllegalStateException("channel layer is closed");
        if (ws.isClosed()) throw new IllegalStateException("WebSocket " + ws.id() + " is closed");
        String id = ws.id();
        String local = id != null && LOCAL_ID.matcher(id).matches() ? id : "c" + localIds.incrementAndGet();
        String name = serverId + "!" + local;
        Channel ch = channels.computeIfAbsent(name, n -> {
            Channel c = new Channel(this, n, ws, settings, counters);
            c.outbox.start();
            return c;
        });
        if (ch.webSocket() != ws) throw new IllegalStateException("two WebSockets share the id " + id);
        ws.attributes().put(CHANNEL_NAME_ATTRIBUTE, name);
        return ch;
    }

    /** The channel attached on this server under {@code name}, if any. */
    public Optional<Channel> channel(String name) { return Optional.ofNullable(channels.get(name)); }

    /**
     * Sends to one channel, on this server or (Redis) another. Never waits. A channel name no
     * connection has is counted in {@link ChannelStats#unknownChannel()}.
     *
     * @throws IllegalArgumentException for a malformed name or a message over {@code maxMessageBytes}
     */
    public void send(String channelName, Message message) {
        var m = CHANNEL.matcher(Objects.requireNonNull(channelName, "channelName"));
        if (!m.matches()) throw new IllegalArgumentException("not a channel name: " + channelName);
        checkMessage(message);
        Channel ch = channels.get(channelName);
        if (ch != null) {
            deliver(ch, message);
        } else if (m.group(1).equals(serverId)) {
            counters.unknownChannel.increment();
        } else {
            sendRemote(m.group(1), channelName, message);
        }
    }

    /**
     * Adds a channel to a group (Channels' {@code group_add}); idempotent. The channel may live on
     * another server of a Redis layer.
     *
     * @throws IllegalArgumentException for a malformed name, or a channel of this server that does
     *     not exist (any more)
     * @throws IllegalStateException if the channel already belongs to {@code maxGroupsPerChannel} groups
     */
    public void groupAdd(String group, String channelName) {
        checkGroup(group);
        var m = checkChannel(channelName);
        Channel ch = channels.get(channelName);
        if (ch == null) {
            if (m.group(1).equals(serverId)) throw new IllegalArgumentException("no channel " + channelName + " on this server");
            remoteGroupChange(m.group(1), true, group, channelName);
            return;
        }
        joinGroup(group, ch);
    }

    /** Removes a channel from a group (Channels' {@code group_discard}); idempotent. */
    public void groupDiscard(String group, String channelName) {
        checkGroup(group);
        var m = checkChannel(channelName);
        Channel ch = channels.get(channelName);
        if (ch == null) {
            if (!m.group(1).equals(serverId)) remoteGroupChange(m.group(1), false, group, channelName);
            return;
        }
        removeLocal(group, ch);
    }

    /**
     * Sends to every member of a group, on every server (Channels' {@code group_send}). Never
     * waits: local members get the message in their outboxes before this returns; other servers
     * get it through Redis.
     */
    public void groupSend(String group, Message message) {
        checkGroup(group);
        checkMessage(message);
        History h = historyOf(group);
        if (h != null) {
            sendKept(h, group, message);
            return;
        }
        deliverLocalGroup(group, message);
        publishGroup(group, message);
    }

    /**
     * Makes every group whose name starts with {@code groupPrefix} keep its recent messages within
     * {@code limits}. Call it at start-up, the same on every server of the layer, before such a
     * group has members. A kept text message that is a JSON object is delivered with its id as its
     * first member ({@code {"id":"1733150000000-0", ...}}); other messages are delivered as sent.
     *
     * <p>Every message of such a group, also to members on the sending server, is delivered through
     * the group's one sequence (with Redis, its stream): while Redis is unreachable, sends to it
     * fail and are counted in {@link ChannelStats#publishFailed()}.
     */
    public void keepHistory(String groupPrefix, HistoryLimits limits) { keepHistory(groupPrefix, limits, MessageId::stamp); }

    /**
     * {@link #keepHistory(String, HistoryLimits)} with {@code stamp} making the delivered message
     * from a kept message's id and the message as sent.
     */
    public void keepHistory(String groupPrefix, HistoryLimits limits, BiFunction<String, Message, Message> stamp) {
        if (groupPrefix == null || !groupPrefix.matches(ChannelLayerSettings.NAME_CHARS + "{0,98}"))
            throw new IllegalArgumentException("group prefixes are 0-98 of [A-Za-z0-9._-]: " + groupPrefix);
        histories.add(new History(groupPrefix, Objects.requireNonNull(limits, "limits"), Objects.requireNonNull(stamp, "stamp")));
    }

    /** The history rule of {@code group}, or null for a plain group (user groups never keep history). */
    final History historyOf(String group) {
        if (histories.isEmpty() || group.startsWith(USER_GROUP_PREFIX)) return null;
        for (History h : histories) if (group.startsWith(h.prefix())) return h;
        return null;
    }

    /**
     * Sends to every connection identified as {@code user} ({@link Channel#identify}), on every
     * server; never waits. Messages one thread sends to one user arrive in order.
     */
    public void sendToUser(String user, Message message) {
        String group = userGroup(user);
        checkMessage(message);
        deliverLocalGroup(group, message);
        publishGroup(group, message);
    }

    /** The users present in {@code group} on every server ({@link Channel#track}), sorted. */
    public SortedSet<String> presence(String group) {
        checkGroup(group);
        return presenceUsers(group);
    }

    /** How join and leave events become messages to a group's members (default {@link PresenceEvent#toJson()}). */
    public void presenceFormat(Function<PresenceEvent, Message> format) {
        this.presenceFormat = Objects.requireNonNull(format, "format");
    }

    public RealtimeSettings realtimeSettings() { return realtime; }

    /**
     * The channel names in a group: on this server for the memory layer; on every server for
     * Redis (from the membership set in Redis, which may take a command round trip).
     */
    public abstract Set<String> groupMembers(String group);

    public ChannelLayerSettings settings() { return settings; }

    public ChannelStats stats() {
        return new ChannelStats(channels.size(), groups.size(), counters.queued.sum(), counters.sent.sum(),
                counters.dropped.sum(), counters.overflowClosed.sum(), counters.unknownChannel.sum(),
                counters.publishFailed.sum(), counters.remoteMissed.sum(), remoteConnected(), outages());
    }

    /** Detaches every channel (the WebSockets stay open) and releases the layer's resources. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        sweeper.interrupt();
        for (Channel ch : List.copyOf(channels.values())) detach(ch, false);
        closeRemote();
    }

    // ---- for subclasses ----

    abstract void sendRemote(String server, String channelName, Message message);

    abstract void publishGroup(String group, Message message);

    abstract void remoteGroupChange(String server, boolean add, String group, String channelName);

    /** The first member of {@code group} on this server joined (called under the group's map lock). */
    abstract void firstLocalMember(String group);

    /** The last member of {@code group} on this server left (called under the group's map lock). */
    abstract void lastLocalMemberGone(String group);

    abstract void memberAdded(String group, String channelName);

    abstract void memberRemoved(String group, String channelName);

    abstract boolean remoteConnected();

    abstract List<Outage> outages();

    abstract void closeRemote();

    /** Appends to a history group's sequence; its members get it in sequence order. */
    abstract void sendKept(History h, String group, Message message);

    /**
     * Adds {@code ch} to a history group. With {@code since}, first writes to the connection (on
     * this thread, waiting for it) every kept message after {@code since}, then queues
     * {@code marker}'s message, then delivers live messages: none missing, none twice.
     *
     * @return false if some messages after {@code since} were no longer kept
     */
    abstract boolean joinKept(History h, String group, Channel ch, MessageId since, Function<Boolean, Message> marker);

    /** Records {@code ch}'s user as present in {@code group}; returns the users present now. */
    abstract SortedSet<String> presenceJoin(String group, Channel ch, String user);

    /** {@code ch} (of {@code user}) is no longer present in {@code group}. Never waits. */
    abstract void presenceLeave(String group, String channelName, String user);

    abstract SortedSet<String> presenceUsers(String group);

    /** Adds {@code ch} to {@code group}: a history group's way ({@link #joinKept}, from now on), or the plain way. */
    final void joinGroup(String group, Channel ch) {
        History h = historyOf(group);
        if (h == null) addLocal(group, ch);
        else if (!ch.groups.contains(group)) joinKept(h, group, ch, null, null);
    }

    /** A history group's member resumes from {@code since} (null: from now). */
    final boolean resume(Channel ch, String group, String since, Function<Boolean, Message> marker) {
        checkGroup(group);
        History h = historyOf(group);
        if (h == null) throw new IllegalArgumentException("group " + group + " keeps no history (see keepHistory)");
        MessageId from = since == null ? null : MessageId.parse(since);
        if (ch.groups.contains(group)) throw new IllegalStateException(ch.name() + " is already a member of " + group);
        return joinKept(h, group, ch, from, from == null ? null : marker); // nothing resumed: no marker
    }

    /** Delivers a kept message to this server's members, past the ones still before their resume point. */
    final void deliverLocalKept(String group, MessageId id, Message stamped) {
        Set<Channel> members = groups.get(group);
        if (members == null) return;
        for (Channel ch : members) {
            if (!ch.resumedAt.isEmpty()) {
                MessageId until = ch.resumedAt.get(group);
                if (until != null) {
                    if (!id.after(until)) continue;
                    ch.resumedAt.remove(group, until);
                }
            }
            deliver(ch, stamped);
        }
    }

    /** Delivers a presence event to this server's members of {@code group}, except {@code exceptChannel}. */
    final void deliverPresence(String group, String user, boolean joined, String exceptChannel) {
        Set<Channel> members = groups.get(group);
        if (members == null) return;
        Message m = presenceFormat.apply(new PresenceEvent(group, user, joined));
        for (Channel ch : members) if (!ch.name().equals(exceptChannel)) deliver(ch, m);
    }

    /** The internal group of {@code user}'s connections: a hash, since identities are any string. */
    final String userGroup(String user) {
        checkUser(user);
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(user.getBytes(StandardCharsets.UTF_8));
            return USER_GROUP_PREFIX + HexFormat.of().formatHex(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    final void checkUser(String user) {
        if (user == null || user.isEmpty()) throw new IllegalArgumentException("a user identity is 1 or more characters");
        int n = user.getBytes(StandardCharsets.UTF_8).length;
        if (n > realtime.maxUserBytes())
            throw new IllegalArgumentException("user identity of " + n + " bytes is over maxUserBytes (" + realtime.maxUserBytes() + ")");
        for (int i = 0; i < user.length(); i++)
            if (Character.isISOControl(user.charAt(i))) throw new IllegalArgumentException("control character in user identity");
    }

    /** Extra periodic work of a subclass, on the sweeper's thread every {@code sweepInterval}. */
    void sweepMore() { }

    /** Snapshot of the local groups and their members' channel names (for refreshing Redis). */
    final java.util.Map<String, List<String>> localMemberships() {
        var out = new java.util.HashMap<String, List<String>>();
        groups.forEach((g, members) -> out.put(g, members.stream().map(Channel::name).toList()));
        return out;
    }

    /** The channels attached on this server now. */
    final java.util.Collection<Channel> localChannels() { return channels.values(); }

    /** The channel names of the members of {@code group} on this server. */
    final Set<String> localGroupMembers(String group) {
        Set<Channel> members = groups.get(group);
        if (members == null) return Set.of();
        return members.stream().map(Channel::name).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    final void deliverLocalGroup(String group, Message message) {
        Set<Channel> members = groups.get(group);
        if (members == null) return;
        for (Channel ch : members) deliver(ch, message);
    }

    final void deliverLocalChannel(String channelName, Message message) {
        Channel ch = channels.get(channelName);
        if (ch == null) counters.unknownChannel.increment();
        else deliver(ch, message);
    }

    final boolean deliver(Channel ch, Message message) {
        switch (ch.outbox.offer(message)) {
            case QUEUED, QUEUED_DROPPED_OLDEST -> {
                counters.queued.increment();
                return true;
            }
            case OVERFLOW_CLOSED -> {
                detach(ch, true);
                return false;
            }
            default -> {
                detach(ch, true); // SHUT: the connection is gone; purge it now rather than at the next sweep
                return false;
            }
        }
    }

    final void addLocal(String group, Channel ch) {
        if (ch.isClosed()) return;
        if (!ch.groups.contains(group) && ch.groups.size() >= settings.maxGroupsPerChannel())
            throw new IllegalStateException(ch.name() + " already belongs to " + settings.maxGroupsPerChannel()
                    + " groups (maxGroupsPerChannel)");
        if (!ch.groups.add(group)) return;
        groups.compute(group, (g, members) -> {
            if (members == null) {
                members = ConcurrentHashMap.newKeySet();
                firstLocalMember(g);
            }
            members.add(ch);
            return members;
        });
        memberAdded(group, ch.name());
        if (ch.isClosed()) removeLocal(group, ch); // raced with detach
    }

    final void removeLocal(String group, Channel ch) {
        if (ch.tracked.remove(group)) presenceLeave(group, ch.name(), ch.user());
        ch.resumedAt.remove(group);
        if (!ch.groups.remove(group)) return;
        groups.computeIfPresent(group, (g, members) -> {
            members.remove(ch);
            if (members.isEmpty()) {
                lastLocalMemberGone(g);
                return null;
            }
            return members;
        });
        memberRemoved(group, ch.name());
    }

    final void detach(Channel ch, boolean discardQueued) {
        if (!ch.closed.compareAndSet(false, true)) return;
        for (String g : List.copyOf(ch.groups)) removeLocal(g, ch);
        channels.remove(ch.name(), ch);
        ch.outbox.shut(discardQueued || ch.webSocket().isClosed());
        ch.webSocket().attributes().remove(CHANNEL_NAME_ATTRIBUTE, ch.name());
    }

    final void checkMessage(Message message) {
        Objects.requireNonNull(message, "message");
        if (message.length() > settings.maxMessageBytes())
            throw new IllegalArgumentException("message of " + message.length() + " bytes is over maxMessageBytes ("
                    + settings.maxMessageBytes() + ")");
    }

    static void checkGroup(String group) {
        if (group == null || !GROUP.matcher(group).matches())
            throw new IllegalArgumentException("group names are 1-99 of [A-Za-z0-9._-]: " + group);
    }

    static java.util.regex.Matcher checkChannel(String channelName) {
        var m = CHANNEL.matcher(Objects.requireNonNull(channelName, "channelName"));
        if (!m.matches()) throw new IllegalArgumentException("not a channel name: " + channelName);
        return m;
    }

    private void sweep() {
        long pause = settings.sweepInterval().toMillis();
        while (!closed.get()) {
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return;
            }
            for (Channel ch : channels.values()) {
                if (ch.webSocket().isClosed()) detach(ch, true);
            }
            try {
                sweepMore();
            } catch (RuntimeException e) {
                log(Level.WARNING, "channel layer: periodic work failed", e);
            }
        }
    }

    private static String randomId() {
        final String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var rnd = new SecureRandom();
        var sb = new StringBuilder("s.");
        for (int i = 0; i < 12; i++) sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        return sb.toString();
    }

    static void log(Level level, String msg, Throwable t) { LOG.log(level, msg, t); }
}
