package example;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.channels.Channel;
import io.loomsocket.channels.ChannelLayer;
import io.loomsocket.channels.ChannelLayers;
import io.loomsocket.server.HttpServer;
import io.loomsocket.web.Response;
import io.loomsocket.web.Settings;
import io.loomsocket.web.WebApp;

import static io.loomsocket.web.Views.path;
import static io.loomsocket.web.Views.requireWebSocket;

/**
 * A group chat on the channel layer: every message sent to {@code ws://HOST:PORT/chat/<room>} goes
 * to every WebSocket in that room, the sender included. With {@code CHANNEL_LAYER=memory} (the
 * default) the rooms live in this process; with {@code CHANNEL_LAYER=redis://127.0.0.1:6379/0}
 * every server on that Redis is one chat. Run it with {@code mvn -q compile exec:java}.
 */
public final class GroupChat {
    public static void main(String[] args) throws Exception {
        Settings settings = Settings.builder().build();                  // defaults < environment (PORT=...)
        String layerUrl = System.getenv().getOrDefault(ChannelLayers.SETTING, "memory");
        ChannelLayer layer = ChannelLayers.fromSetting(layerUrl);       // one layer per server

        WebApp app = WebApp.builder()
                .settings(settings)
                .urls(path("^chat/(?<room>[A-Za-z0-9_-]{1,64})$", requireWebSocket(request -> {
                    WebSocket ws = request.websocket();
                    String group = "room_" + request.pathParam("room");
                    try (Channel channel = layer.attach(ws)) {          // leaves its groups when closed
                        channel.groupAdd(group);
                        for (Message m : ws) layer.groupSend(group, m);
                    }
                    return null;
                })))
                .build();

        HttpServer server = app.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();                                               // closes every WebSocket with 1001
            layer.close();
        }));
        System.out.println("chat on ws://" + settings.host() + ":" + server.port() + "/chat/<room>");
        server.awaitStopped();
    }
}
