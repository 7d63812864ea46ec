package io.loomsocket.channels;

import java.util.List;

/**
 * A snapshot of a layer's counters (all since the layer was created).
 *
 * @param channels connections attached now
 * @param localGroups groups with at least one member on this server
 * @param queued messages accepted into outboxes (sends and group sends, one per recipient)
 * @param sent messages the outbox drainers wrote to their connections
 * @param dropped messages outboxes dropped under their {@link OverflowPolicy}, or because the
 *     connection closed before they were written
 * @param overflowClosed connections closed because their outbox overflowed
 * @param unknownChannel sends to a channel name that no connection has (any more)
 * @param publishFailed messages for other servers that could not be handed to Redis (Redis down,
 *     or the client's request queue full): never delivered there
 * @param remoteMissed messages from other servers that this server saw were missing (a gap in
 *     the sender's sequence numbers, e.g. published while this server's subscription was down)
 * @param redisConnected true for the memory layer; for Redis, whether both connections are up
 * @param outages the most recent Redis outages, oldest first (empty for the memory layer)
 */
public record ChannelStats(int channels, int localGroups, long queued, long sent, long dropped, long overflowClosed,
                           long unknownChannel, long publishFailed, long remoteMissed, boolean redisConnected,
                           List<Outage> outages) {
    public ChannelStats {
        outages = List.copyOf(outages);
    }
}
