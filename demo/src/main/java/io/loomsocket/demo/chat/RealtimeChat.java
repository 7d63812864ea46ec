package io.loomsocket.demo.chat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.channels.Channel;
import io.loomsocket.channels.ChannelLayer;
import io.loomsocket.channels.HistoryLimits;
import io.loomsocket.web.Request;
import io.loomsocket.web.Response;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.function.Function;

/**
 * The chat's WebSocket view on presence, kept history and messages to users, speaking JSON both
 * ways. Who the user is comes from a function of the request (the logged-in session's user).
 *
 * <ul>
 *   <li>client to server: {@code {"type":"message","text":"..."}} and
 *       {@code {"type":"direct","to":"bob","text":"..."}};</li>
 *   <li>server to client: {@code {"id":"<id>","type":"message","user":"alice","text":"...","ts":<ms>}}
 *       to every member of the room, the sender included, in the same order for everyone;
 *       {@code {"type":"direct","from":"alice","text":"..."}} to every connection of {@code bob}
 *       and no one else; on connect {@code {"type":"presence","users":[...]}} (sorted, the
 *       newcomer included) and to the others {@code {"type":"join","user":"..."}}; and
 *       {@code {"type":"leave","user":"..."}} when a user's last connection to the room goes;</li>
 *   <li>backlog: without {@code ?since} (a page's first load) every kept message of the room comes
 *       first, oldest first, then the presence and the live messages;</li>
 *   <li>resume: with {@code ?since=<id>} the kept messages after that id come first, then
 *       {@code {"type":"resumed","complete":true}} ({@code false} when some were no longer kept),
 *       then the presence and the live messages.</li>
 * </ul>
 * Rooms keep their last 1,000 messages for 24 hours (group {@code room.<room>}), so a backlog is
 * at most that. What the client sends otherwise closes the WebSocket, as {@code docs/json.md}
 * says for JSON: 1007 for a text that is not JSON (or past the {@code json.*} limits) or JSON not
 * of the shapes above (RFC 6455 §7.4.1, "data not consistent with the type of the message"), 1003
 * for a binary message, 1008 for a message the layer refuses (a user name it does not accept, a
 * message larger than it carries).
 */
public final class RealtimeChat {
    /** The groups of the rooms: {@code room.<room>}. */
    public static final String GROUP_PREFIX = "room.";

    private final ChannelLayer layer;
    private final Function<Request, Optional<String>> identity;

    /**
     * @param identity the user of a request, or empty when nobody is logged in (such a WebSocket is
     *     closed with 1008; refusing the handshake with 403 is the login middleware's part)
     */
    public RealtimeChat(ChannelLayer layer, Function<Request, Optional<String>> identity) {
        this.layer = Objects.requireNonNull(layer, "layer");
        this.identity = Objects.requireNonNull(identity, "identity");
        layer.keepHistory(GROUP_PREFIX, HistoryLimits.defaults());
    }

    /** The WebSocket view of {@code /chat/<room>} (the URL pattern checks the room's name). */
    public Response socket(Request request) {
        WebSocket ws = request.websocket();
        Optional<String> user = identity.apply(request);
        if (user.isEmpty()) {
            ws.close(1008, "login required");
            return null;
        }
        String group = GROUP_PREFIX + request.pathParam("room");
        String since = request.query().first("since").orElse(null);
        JsonMapper json = request.app().json().mapper(); // the app's, within its json.* limits
        try (Channel ch = layer.attach(ws)) {
            ch.identify(user.get());
            try {
                if (since == null) ch.resume(group, Channel.OLDEST, null); // the backlog, no marker
                else ch.resume(group, since, complete -> Message.text(json.createObjectNode()
                        .put("type", "resumed").put("complete", complete).toString()));
            } catch (IllegalArgumentException e) { // not an id of ours
                ws.close(1008, "since is not a message id");
                return null;
            }
            SortedSet<String> users = ch.track(group);
            ObjectNode presence = json.createObjectNode().put("type", "presence");
            users.forEach(presence.putArray("users")::add);
            ch.send(Message.text(presence.toString()));
            for (Message m : ws) {
                Refusal refused;
                try {
                    refused = handle(json, user.get(), group, m);
                } catch (IllegalArgumentException e) { // a user name or message the layer refuses
                    refused = new Refusal(POLICY, e.getMessage().length() > 100 ? e.getMessage().substring(0, 100) : e.getMessage());
                }
                if (refused != null) {
                    ws.close(refused.code(), refused.reason());
                    break;
                }
            }
        }
        return null;
    }

    /** RFC 6455 §7.4.1 close codes for what the client sends. */
    static final int UNACCEPTABLE = 1003, INCONSISTENT = 1007, POLICY = 1008;

    /** Why a message from the client closes its WebSocket. */
    record Refusal(int code, String reason) { }

    /** Acts on one message from the client; returns why it was refused, or null. */
    private Refusal handle(JsonMapper json, String user, String group, Message m) {
        if (!m.isText()) return new Refusal(UNACCEPTABLE, "binary messages are not part of the chat");
        JsonNode in;
        try {
            in = json.readTree(m.text());
        } catch (JacksonException e) {
            return new Refusal(INCONSISTENT, "not JSON (or past the json.* limits)");
        }
        JsonNode text = in.path("text");
        if (!text.isString()) return new Refusal(INCONSISTENT, "a message needs a \"text\" string");
        switch (in.path("type").asString()) {
            case "message" -> layer.groupSend(group, Message.text(json.createObjectNode().put("type", "message").put("user", user)
                    .put("text", text.stringValue()).put("ts", System.currentTimeMillis()).toString()));
            case "direct" -> {
                JsonNode to = in.path("to");
                if (!to.isString() || to.stringValue().isEmpty()) return new Refusal(INCONSISTENT, "a direct message needs a \"to\" user");
                layer.sendToUser(to.stringValue(), Message.text(json.createObjectNode().put("type", "direct").put("from", user)
                        .put("text", text.stringValue()).toString()));
            }
            default -> {
                return new Refusal(INCONSISTENT, "type is \"message\" or \"direct\"");
            }
        }
        return null;
    }
}
