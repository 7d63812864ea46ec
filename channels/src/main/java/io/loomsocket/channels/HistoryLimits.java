package io.loomsocket.channels;

import java.time.Duration;

/**
 * How much of a group's recent traffic a layer keeps for members that reconnect
 * ({@link ChannelLayer#keepHistory}). A message is dropped from the history when any of the
 * three limits is passed, oldest first.
 *
 * @param maxMessages messages kept per group (default 1,000)
 * @param maxAge how long a message is kept (default 24 hours)
 * @param maxBytes payload bytes kept per group by the memory layer (default 16 MiB); with Redis the
 *     stream holds at most {@code maxMessages} entries of at most {@code maxMessageBytes} each
 */
public record HistoryLimits(int maxMessages, Duration maxAge, long maxBytes) {
    public HistoryLimits {
        if (maxMessages < 1) throw new IllegalArgumentException("maxMessages must be >= 1: " + maxMessages);
        if (maxAge == null || maxAge.toMillis() < 1) throw new IllegalArgumentException("maxAge must be >= 1 ms: " + maxAge);
        if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be >= 1: " + maxBytes);
    }

    public static HistoryLimits defaults() { return new HistoryLimits(1000, Duration.ofHours(24), 16L << 20); }

    public HistoryLimits withMaxMessages(int v) { return new HistoryLimits(v, maxAge, maxBytes); }

    public HistoryLimits withMaxAge(Duration v) { return new HistoryLimits(maxMessages, v, maxBytes); }

    public HistoryLimits withMaxBytes(long v) { return new HistoryLimits(maxMessages, maxAge, v); }
}
