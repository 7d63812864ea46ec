package io.loomsocket.demo.chat;

import io.loomsocket.channels.ChannelLayer;
import io.loomsocket.channels.ChannelLayerSettings;
import io.loomsocket.channels.ChannelLayers;
import io.loomsocket.channels.ChannelStats;
import io.loomsocket.channels.Outage;
import io.loomsocket.web.Request;
import io.loomsocket.web.Response;
import io.loomsocket.web.Settings;
import io.loomsocket.web.UrlPattern;
import io.loomsocket.web.auth.User;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static io.loomsocket.web.Views.acceptWebSocket;
import static io.loomsocket.web.Views.path;
import static io.loomsocket.web.Views.render;
import static io.loomsocket.web.Views.requireWebSocket;
import static io.loomsocket.web.auth.Auth.loginRequired;

/**
 * The demo chat on a channel layer: {@code /chat/} picks a room, {@code /chat/<room>/} is the
 * room's page and {@code /chat/<room>} its WebSocket ({@link RealtimeChat}: JSON, presence, kept
 * history and resume, direct messages). Both need a logged-in session: the page sends an anonymous
 * visitor to the login page, an anonymous handshake gets 403 before the upgrade; the chat's name
 * for a user is the session's. With {@code CHANNEL_LAYER=redis://...} the servers sharing that
 * Redis form one chat. {@code /chat/_stats} shows the layer's counters as JSON. Any other URL under
 * {@code /chat/} names no room: a page says why, with a link back to {@code /chat/}.
 */
public final class ChatViews {
    /**
     * Room names: {@code [A-Za-z0-9_-]{1,64}}, 1 to 64 letters, digits, {@code _} or {@code -}. The
     * same text is the room form's HTML {@code pattern}, which browsers compile with JavaScript's
     * {@code v} flag (HTML, "The pattern attribute"): there a {@code -} inside a class must be
     * escaped, so the expression is written with {@code \-}, which Java and {@code v}-mode
     * JavaScript both read as that same set.
     */
    public static final String ROOM = "[A-Za-z0-9_\\-]{1,64}";
    /** {@link #ROOM} in words, for the form and the page a bad name gets. */
    static final String ROOM_RULE = "A room name has 1 to 64 letters, digits, _ and -.";
    /** The settings key that names the layer (environment variable {@code CHANNEL_LAYER}). */
    public static final String SETTING = "channel_layer";

    private final ChannelLayer layer;
    private final RealtimeChat chat;

    /** The chat on {@code layer}; the app's chain needs the session and authentication middleware. */
    public ChatViews(ChannelLayer layer) {
        this.layer = Objects.requireNonNull(layer, "layer");
        this.chat = new RealtimeChat(layer, ChatViews::user);
    }

    private static Optional<String> user(Request request) {
        User u = request.user();
        return u.isAuthenticated() ? Optional.of(u.username()) : Optional.empty();
    }

    /** The settings key of the outbox byte bound ({@link ChannelLayerSettings#outboxMaxBytes()}). */
    public static final String OUTBOX_MAX_BYTES = "channels.outbox_max_bytes";

    /**
     * The layer the settings ask for: the {@code channel_layer} setting when the server defines it,
     * else the environment variable {@code CHANNEL_LAYER}; {@code memory} when neither is set. Its
     * outboxes are bounded by {@value #OUTBOX_MAX_BYTES}.
     */
    public static ChannelLayer layerFrom(Settings settings) {
        boolean defined = Settings.definitions().stream().anyMatch(d -> d.key().equals(SETTING));
        String value = defined ? settings.string(SETTING) : System.getenv(ChannelLayers.SETTING);
        long maxBytes = settings.size(OUTBOX_MAX_BYTES);
        if (maxBytes > Integer.MAX_VALUE) throw new IllegalArgumentException(OUTBOX_MAX_BYTES + " is larger than 2 GiB: " + maxBytes);
        return ChannelLayers.fromSetting(value, ChannelLayerSettings.defaults().withOutboxMaxBytes((int) maxBytes));
    }

    /** The chat's URL patterns (add them to the app's). */
    public List<UrlPattern> urls() {
        return List.of(
                path("^chat/$", this::index, "chat-index"),
                // "_stats" is a room name too: a WebSocket handshake there is that room's, a plain GET the counters
                path("^chat/(?<room>_stats)$", acceptWebSocket(r -> r.isWebSocket() ? chat.socket(r) : stats(r)), "chat-stats"),
                path("^chat/(?<room>" + ROOM + ")/$", loginRequired(this::room), "chat-room"),
                path("^chat/(?<room>" + ROOM + ")$", loginRequired(requireWebSocket(chat::socket)), "chat-socket"),
                path("^chat/(?<name>.*?)/?$", this::badRoom, "chat-bad-room"));
    }

    public Response index(Request request) {
        return render(request, "chat/index.html", Map.of("pattern", ROOM, "rule", ROOM_RULE));
    }

    /**
     * Any other URL under {@code /chat/}: a name that is not a room name (typed past the form's
     * check or into the address bar) gets 404 with the rule and a link back to {@code /chat/}.
     */
    public Response badRoom(Request request) {
        String name = request.pathParam("name");
        if (name.length() > 100) name = name.substring(0, Character.isHighSurrogate(name.charAt(99)) ? 99 : 100) + "…";
        return render(request, "chat/bad_room.html", Map.of("name", name, "rule", ROOM_RULE)).setStatus(404);
    }

    public Response room(Request request) {
        return render(request, "chat/room.html", Map.of("room", request.pathParam("room"), "user", request.user().username()));
    }

    public Response stats(Request request) {
        ChannelStats s = layer.stats();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("layer", layer.getClass().getSimpleName());
        out.put("channels", s.channels());
        out.put("local_groups", s.localGroups());
        out.put("queued", s.queued());
        out.put("sent", s.sent());
        out.put("dropped", s.dropped());
        out.put("overflow_closed", s.overflowClosed());
        out.put("unknown_channel", s.unknownChannel());
        out.put("publish_failed", s.publishFailed());
        out.put("remote_missed", s.remoteMissed());
        out.put("redis_connected", s.redisConnected());
        out.put("outages", s.outages().stream().map(ChatViews::outage).toList());
        return Response.json(out);
    }

    private static Map<String, Object> outage(Outage o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("start", o.start().toString());
        m.put("end", o.end().map(Instant::toString).orElse(null));
        m.put("millis", o.duration().toMillis());
        m.put("undelivered", o.undelivered());
        return m;
    }
}
