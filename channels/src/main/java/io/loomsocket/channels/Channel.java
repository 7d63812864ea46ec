package io.loomsocket.channels;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;

import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A WebSocket attached to a {@link ChannelLayer}: its channel name, its bounded outbox and the
 * groups it belongs to. Made by {@link ChannelLayer#attach(WebSocket)}. Every method is safe from
 * any thread and none waits on the network.
 *
 * <p>The channel ends (leaving all its groups) when {@link #close()} is called, when the layer
 * finds the connection closed (at the next send to it, or within
 * {@link ChannelLayerSettings#sweepInterval()}), or when the layer closes. Closing a channel does
 * not close the WebSocket.
 */
public final class Channel implements AutoCloseable {
    private final ChannelLayer layer;
    private final String name;
    private final WebSocket ws;
    final Outbox outbox;
    final Set<String> groups = ConcurrentHashMap.newKeySet();
    final AtomicBoolean closed = new AtomicBoolean();
    /** Groups whose presence this channel counts in (a subset of {@link #groups}). */
    final Set<String> tracked = ConcurrentHashMap.newKeySet();
    /** History groups joined by resuming, with the last id replayed: live messages up to it are skipped. */
    final Map<String, MessageId> resumedAt = new ConcurrentHashMap<>();
    private final AtomicReference<String> user = new AtomicReference<>();

    Channel(ChannelLayer layer, String name, WebSocket ws, ChannelLayerSettings settings, Counters counters) {
        this.layer = layer;
        this.name = name;
        this.ws = ws;
        this.outbox = new Outbox(ws, settings.outboxCapacity(), settings.outboxMaxBytes(), settings.overflowPolicy(), name, counters,
                () -> layer.detach(this, true));
    }

    /** The channel name: any thread on any server of the layer can {@link ChannelLayer#send} to it. */
    public String name() { return name; }

    public WebSocket webSocket() { return ws; }

    /** Joins a group ({@link ChannelLayer#groupAdd}); idempotent. */
    public void groupAdd(String group) { layer.groupAdd(group, name); }

    /** Leaves a group ({@link ChannelLayer#groupDiscard}); idempotent. */
    public void groupDiscard(String group) { layer.groupDiscard(group, name); }

    /** The groups this channel belongs to now. */
    public Set<String> groups() { return Set.copyOf(groups); }

    /**
     * Queues a message for this connection only (never waits).
     *
     * @return false if the channel has ended or the overflow policy closed the connection
     * @throws IllegalArgumentException for a message over {@code maxMessageBytes}
     */
    public boolean send(Message message) {
        layer.checkMessage(message);
        return layer.deliver(this, message);
    }

    /**
     * Says which user this connection belongs to (an identity the application chose, e.g. the
     * session's user name): {@link ChannelLayer#sendToUser} then reaches it, and {@link #track}
     * counts it as that user. Once per channel.
     *
     * @throws IllegalStateException if the channel already has another user
     * @throws IllegalArgumentException for an empty identity, one with control characters, or one
     *     over {@link RealtimeSettings#maxUserBytes()}
     */
    public void identify(String user) {
        String group = layer.userGroup(user);
        if (!this.user.compareAndSet(null, user) && !user.equals(this.user.get()))
            throw new IllegalStateException(name + " already belongs to user " + this.user.get());
        layer.addLocal(group, this);
    }

    /** The user given to {@link #identify}, or null. */
    public String user() { return user.get(); }

    /**
     * Joins {@code group} (if not yet a member) and counts this connection's user as present in
     * it, on every server. The other members get a join event when this is the user's first
     * connection to the group, and a leave event when the user's last one goes (closed, left with
     * {@link #untrack} or {@link #groupDiscard}, or expired with its server).
     *
     * @return the users present now, this one included, sorted
     * @throws IllegalStateException if the channel has no user ({@link #identify})
     */
    public SortedSet<String> track(String group) {
        String u = user.get();
        if (u == null) throw new IllegalStateException(name + " has no user: identify() it first");
        ChannelLayer.checkGroup(group);
        if (!groups.contains(group)) layer.joinGroup(group, this);
        if (!tracked.add(group)) return layer.presenceUsers(group);
        return layer.presenceJoin(group, this, u);
    }

    /** Stops counting this connection as present in {@code group} (it stays a member). */
    public void untrack(String group) {
        if (tracked.remove(group)) layer.presenceLeave(group, name, user.get());
    }

    /** The {@code lastId} before every message id: {@link #resume} from it gets every message still kept. */
    public static final String OLDEST = "0-0";

    /**
     * Joins a history group ({@link ChannelLayer#keepHistory}) where the connection left it: writes
     * every kept message after {@code lastId} to the WebSocket (on this thread, as fast as the
     * peer reads), then queues {@code marker.apply(complete)} (if not null), then delivers the live
     * messages, with none missing and none twice. {@code lastId} null joins from now (no marker);
     * {@link #OLDEST} joins with every message still kept first (a backlog, at most the group's
     * {@link HistoryLimits}).
     *
     * @return false if some messages after {@code lastId} are no longer kept (or the id is from
     *     before the group's history began, e.g. from before a restart)
     * @throws IllegalArgumentException if {@code group} keeps no history or {@code lastId} is not a message id
     * @throws IllegalStateException if the channel is already a member of {@code group}
     */
    public boolean resume(String group, String lastId, Function<Boolean, Message> marker) {
        return layer.resume(this, group, lastId, marker);
    }

    /** Messages this channel's outbox dropped (overflow policy, or closed before writing). */
    public long dropped() { return outbox.dropped(); }

    /** Messages written to the connection so far. */
    public long sent() { return outbox.sent(); }

    /** Messages waiting in the outbox now. */
    public int queued() { return outbox.queued(); }

    public boolean isClosed() { return closed.get(); }

    /** Leaves every group and stops the outbox after writing what it holds. Idempotent. */
    @Override
    public void close() { layer.detach(this, ws.isClosed()); }

    @Override
    public String toString() { return "Channel[" + name + (isClosed() ? ", closed" : "") + "]"; }
}
