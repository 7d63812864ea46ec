package io.loomsocket.channels;

/**
 * What a connection's outbox does when a message arrives and it already holds
 * {@link ChannelLayerSettings#outboxCapacity()} messages, or the message would take it past
 * {@link ChannelLayerSettings#outboxMaxBytes()} (the member is not reading fast enough).
 * Senders never wait in any case: the policy only decides what the slow member loses.
 */
public enum OverflowPolicy {
    /** Drop the oldest queued messages to make room (the default). Counted in {@link Channel#dropped()}. */
    DROP_OLDEST(0),
    /**
     * Close the connection with 1013 "Try Again Later" (IANA WebSocket close code registry, the
     * code RFC 6455 §7.4.2 reserves for registration); the message and the queue are dropped.
     */
    CLOSE_TRY_AGAIN_LATER(1013),
    /** Close the connection with 1008 "Policy Violation" (RFC 6455 §7.4.1). */
    CLOSE_POLICY_VIOLATION(1008);

    private final int closeCode;

    OverflowPolicy(int closeCode) { this.closeCode = closeCode; }

    /** The close code sent to the slow member, or 0 for {@link #DROP_OLDEST}. */
    public int closeCode() { return closeCode; }
}
