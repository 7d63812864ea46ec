package io.loomsocket.channels;

import java.time.Duration;

/**
 * A server for {@link RealtimeRedisTest} to kill: a Redis layer in its own JVM with one connection
 * of a user present in a group. Prints {@code TRACKING} once present, then beats until killed.
 * Arguments: redis URI, key prefix, presence timeout in ms, group, user.
 */
public final class PresenceServerMain {
    private PresenceServerMain() {}

    public static void main(String[] args) throws Exception {
        var layer = ChannelLayers.fromSetting(args[0], ChannelLayerSettings.defaults().withKeyPrefix(args[1]),
                RealtimeSettings.defaults().withPresenceTimeout(Duration.ofMillis(Long.parseLong(args[2]))));
        Channel ch = layer.attach(new FakeWebSocket());
        ch.identify(args[4]);
        ch.track(args[3]);
        System.out.println("TRACKING");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
