package io.loomsocket.channels;

import io.loomsocket.Message;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The embedded layer ({@code CHANNEL_LAYER=memory}, the default): groups and channels of one
 * server process. Channel names of other layers are unknown to it (counted, not delivered).
 * History groups keep their messages in a ring per group ({@link MemoryHistory}); presence is a
 * map of users to their connections.
 */
public final class MemoryChannelLayer extends ChannelLayer {
    private final ConcurrentHashMap<String, MemoryHistory> histories = new ConcurrentHashMap<>();
    private final ReentrantLock presenceLock = new ReentrantLock();
    private final Map<String, Map<String, Set<String>>> present = new HashMap<>(); // group -> user -> channel names; guarded by presenceLock

    public MemoryChannelLayer() { this(ChannelLayerSettings.defaults()); }

    public MemoryChannelLayer(ChannelLayerSettings settings) { this(settings, RealtimeSettings.defaults()); }

    public MemoryChannelLayer(ChannelLayerSettings settings, RealtimeSettings realtime) {
        super(settings, realtime);
        startSweeper();
    }

    private MemoryHistory history(History h, String group) {
        return histories.computeIfAbsent(group, g -> new MemoryHistory(h.limits(), System.currentTimeMillis()));
    }

    @Override
    void sendKept(History h, String group, Message message) {
        MemoryHistory ring = history(h, group);
        ring.lock.lock();
        try {
            var e = ring.append(h, message, System.currentTimeMillis());
            deliverLocalKept(group, e.id(), e.message());
        } finally {
            ring.lock.unlock();
        }
    }

    @Override
    boolean joinKept(History h, String group, Channel ch, MessageId since, Function<Boolean, Message> marker) {
        MemoryHistory ring = history(h, group);
        boolean complete = true;
        MessageId cursor = since;
        while (true) {
            List<MemoryHistory.Entry> batch;
            ring.lock.lock();
            try {
                if (cursor != null && !ring.keptAfter(cursor)) complete = false;
                batch = cursor == null ? List.of() : ring.after(cursor, realtime.historyReadBatch());
                if (batch.isEmpty()) { // caught up: from here on the ring's lock hands it every message
                    if (marker != null) deliver(ch, marker.apply(complete));
                    addLocal(group, ch);
                    return complete;
                }
            } finally {
                ring.lock.unlock();
            }
            for (var e : batch) ch.webSocket().send(e.message()); // waits for a slow peer, outside the lock
            cursor = batch.getLast().id();
        }
    }

    @Override
    void sweepMore() {
        long now = System.currentTimeMillis();
        histories.forEach((group, ring) -> {
            ring.lock.lock();
            try {
                ring.trim(now);
                if (ring.isEmpty() && localGroupMembers(group).isEmpty()) histories.remove(group, ring);
            } finally {
                ring.lock.unlock();
            }
        });
    }

    @Override
    SortedSet<String> presenceJoin(String group, Channel ch, String user) {
        presenceLock.lock();
        try {
            var users = present.computeIfAbsent(group, g -> new HashMap<>());
            var conns = users.computeIfAbsent(user, u -> new LinkedHashSet<>());
            boolean first = conns.isEmpty();
            conns.add(ch.name());
            if (first) deliverPresence(group, user, true, ch.name()); // under the lock: events in the order of the changes
            return new TreeSet<>(users.keySet());
        } finally {
            presenceLock.unlock();
        }
    }

    @Override
    void presenceLeave(String group, String channelName, String user) {
        presenceLock.lock();
        try {
            var users = present.get(group);
            if (users == null) return;
            var conns = users.get(user);
            if (conns == null || !conns.remove(channelName) || !conns.isEmpty()) return;
            users.remove(user);
            if (users.isEmpty()) present.remove(group);
            deliverPresence(group, user, false, null);
        } finally {
            presenceLock.unlock();
        }
    }

    @Override
    SortedSet<String> presenceUsers(String group) {
        presenceLock.lock();
        try {
            var users = present.get(group);
            return users == null ? new TreeSet<>() : new TreeSet<>(users.keySet());
        } finally {
            presenceLock.unlock();
        }
    }

    @Override
    public Set<String> groupMembers(String group) {
        checkGroup(group);
        return localGroupMembers(group);
    }

    @Override
    void sendRemote(String server, String channelName, Message message) { counters.unknownChannel.increment(); }

    @Override
    void publishGroup(String group, Message message) { /* no other servers */ }

    @Override
    void remoteGroupChange(String server, boolean add, String group, String channelName) {
        if (add) throw new IllegalArgumentException("no channel " + channelName + " in this memory layer");
    }

    @Override
    void firstLocalMember(String group) { }

    @Override
    void lastLocalMemberGone(String group) { }

    @Override
    void memberAdded(String group, String channelName) { }

    @Override
    void memberRemoved(String group, String channelName) { }

    @Override
    boolean remoteConnected() { return true; }

    @Override
    List<Outage> outages() { return List.of(); }

    @Override
    void closeRemote() { }
}
