package io.loomsocket.channels;

import io.loomsocket.Message;

import java.util.List;
import java.util.Set;

/**
 * The embedded layer ({@code CHANNEL_LAYER=memory}, the default): groups and channels of one
 * server process. Channel names of other layers are unknown to it (counted, not delivered).
 */
public final class MemoryChannelLayer extends ChannelLayer {
    public MemoryChannelLayer() { this(ChannelLayerSettings.defaults()); }

    public MemoryChannelLayer(ChannelLayerSettings settings) {
        super(settings);
        startSweeper();
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
