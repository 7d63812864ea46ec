package io.loomsocket.channels;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

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
