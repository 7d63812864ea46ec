package io.loomsocket.channels;

/**
 * A user joined a group (their first connection to it, on any server) or left it (their last
 * connection went, closed or expired with its server). The layer turns it into a message for the
 * group's other members with the format set by {@link ChannelLayer#presenceFormat}; by default
 * {@link #toJson()}.
 */
public record PresenceEvent(String group, String user, boolean joined) {
    /** {@code {"type":"join","user":"alice"}} or {@code {"type":"leave","user":"alice"}}. */
    public String toJson() {
        return "{\"type\":\"" + (joined ? "join" : "leave") + "\",\"user\":" + Json.string(user) + "}";
    }
}
