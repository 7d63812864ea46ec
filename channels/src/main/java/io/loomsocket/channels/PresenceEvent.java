package io.loomsocket.channels;

import tools.jackson.core.io.JsonStringEncoder;

/**
 * A user joined a group (their first connection to it, on any server) or left it (their last
 * connection went, closed or expired with its server). The layer turns it into a message for the
 * group's other members with the format set by {@link ChannelLayer#presenceFormat}; by default
 * {@link #toJson()}.
 */
public record PresenceEvent(String group, String user, boolean joined) {
    /** {@code {"type":"join","user":"alice"}} or {@code {"type":"leave","user":"alice"}}. */
    public String toJson() {
        var b = new StringBuilder("{\"type\":\"").append(joined ? "join" : "leave").append("\",\"user\":\"");
        JsonStringEncoder.getInstance().quoteAsString(user, b); // RFC 8259 section 7
        return b.append("\"}").toString();
    }
}
