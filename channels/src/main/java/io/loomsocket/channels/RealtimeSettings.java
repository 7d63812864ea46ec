package io.loomsocket.channels;

import java.time.Duration;

/**
 * The limits of presence, kept history and messages to users (the rest of a layer's limits are in
 * {@link ChannelLayerSettings}).
 *
 * @param presenceTimeout how long a connection stays present without its server's heartbeat
 *     (default 15 seconds). Servers beat every third of it and look for expired users as often,
 *     so the users of a server that died leave within about {@code 4/3} of it (20 s by default)
 * @param maxUserBytes the longest user identity, in UTF-8 bytes (default 256)
 * @param historyReadBatch kept messages read from Redis at once, per group, when delivering and
 *     when replaying to a member that resumes (default 100): what one read holds is bounded by
 *     {@code historyReadBatch × maxMessageBytes}
 */
public record RealtimeSettings(Duration presenceTimeout, int maxUserBytes, int historyReadBatch) {
    public RealtimeSettings {
        if (presenceTimeout == null || presenceTimeout.toMillis() < 30)
            throw new IllegalArgumentException("presenceTimeout must be >= 30 ms: " + presenceTimeout);
        if (maxUserBytes < 1) throw new IllegalArgumentException("maxUserBytes must be >= 1: " + maxUserBytes);
        if (historyReadBatch < 1) throw new IllegalArgumentException("historyReadBatch must be >= 1: " + historyReadBatch);
    }

    public static RealtimeSettings defaults() { return new RealtimeSettings(Duration.ofSeconds(15), 256, 100); }

    public RealtimeSettings withPresenceTimeout(Duration v) { return new RealtimeSettings(v, maxUserBytes, historyReadBatch); }

    public RealtimeSettings withMaxUserBytes(int v) { return new RealtimeSettings(presenceTimeout, v, historyReadBatch); }

    public RealtimeSettings withHistoryReadBatch(int v) { return new RealtimeSettings(presenceTimeout, maxUserBytes, v); }
}
