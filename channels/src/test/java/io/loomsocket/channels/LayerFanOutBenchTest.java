package io.loomsocket.channels;

import io.loomsocket.Message;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.RedisProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fan-out cost of the layer alone (no sockets): one sender, one group of 10,000 members whose
 * send() only counts. Long run: {@code -Dloomsocket.long=true}. Prints one line per case.
 */
@IntegrationTest
@EnabledIfSystemProperty(named = "loomsocket.long", matches = "true")
class LayerFanOutBenchTest {
    static final int MEMBERS = 10_000, MESSAGES = 100;

    @Test
    void memoryLayer() throws Exception {
        try (var layer = new MemoryChannelLayer(ChannelLayerSettings.defaults().withOutboxCapacity(MESSAGES))) {
            run("memory, 1 process", List.of(layer), layer);
        }
    }

    @Test
    void redisLayerTwoServers() throws Exception {
        try (var redis = RedisProcess.start();
             var a = ChannelLayers.fromSetting(redis.uri(), ChannelLayerSettings.defaults().withOutboxCapacity(MESSAGES));
             var b = ChannelLayers.fromSetting(redis.uri(), ChannelLayerSettings.defaults().withOutboxCapacity(MESSAGES))) {
            run("redis, 2 layers (5,000 members each)", List.of(a, b), a);
        }
    }

    @Test
    void memoryLayerHistoryGroup() throws Exception {
        try (var layer = new MemoryChannelLayer(ChannelLayerSettings.defaults().withOutboxCapacity(MESSAGES))) {
            layer.keepHistory("hist.", HistoryLimits.defaults());
            run("memory, 1 process, history group (ids stamped)", List.of(layer), layer, "hist.bench");
        }
    }

    @Test
    void redisLayerTwoServersHistoryGroup() throws Exception {
        try (var redis = RedisProcess.start();
             var a = ChannelLayers.fromSetting(redis.uri(), ChannelLayerSettings.defaults().withOutboxCapacity(MESSAGES));
             var b = ChannelLayers.fromSetting(redis.uri(), ChannelLayerSettings.defaults().withOutboxCapacity(MESSAGES))) {
            a.keepHistory("hist.", HistoryLimits.defaults());
            b.keepHistory("hist.", HistoryLimits.defaults());
            run("redis, 2 layers (5,000 members each), history group (stream, ids stamped)", List.of(a, b), a, "hist.bench");
        }
    }

    static void run(String name, List<ChannelLayer> layers, ChannelLayer sender) throws Exception {
        run(name, layers, sender, "bench");
    }

    static void run(String name, List<ChannelLayer> layers, ChannelLayer sender, String group) throws Exception {
        var warm = new CountDownLatch(MEMBERS);
        var sinks = new ArrayList<FakeWebSocket>();
        for (int i = 0; i < MEMBERS; i++) {
            var ws = new FakeWebSocket();
            ws.countOnly = warm;
            layers.get(i % layers.size()).attach(ws).groupAdd(group);
            sinks.add(ws);
        }
        // every member must be reachable (remote subscriptions are asynchronous) before measuring
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (warm.getCount() > 0) {
            assertThat(System.nanoTime()).as("warm-up").isLessThan(deadline);
            var probe = new CountDownLatch(MEMBERS);
            sinks.forEach(s -> s.countOnly = probe);
            sender.groupSend(group, Message.text("{\"warm\":1}"));
            if (probe.await(2, TimeUnit.SECONDS)) warm = probe;
        }
        var done = new CountDownLatch(MEMBERS * MESSAGES);
        sinks.forEach(s -> s.countOnly = done);
        String payload = "{\"t\":\"" + "x".repeat(56) + "\"}"; // 64 bytes of JSON (a kept one gets its id)
        long t0 = System.nanoTime();
        for (int i = 0; i < MESSAGES; i++) sender.groupSend(group, Message.text(payload));
        long sendNs = System.nanoTime() - t0;
        assertThat(done.await(120, TimeUnit.SECONDS)).as("all deliveries").isTrue();
        long totalNs = System.nanoTime() - t0;
        long dropped = layers.stream().mapToLong(l -> l.stats().dropped()).sum();
        System.out.printf("FANOUT layer-only %s: %d msgs x %d members: groupSend %.2f ms/msg (sender), all %d deliveries in %d ms = %.0f deliveries/s, dropped %d%n",
                name, MESSAGES, MEMBERS, sendNs / 1e6 / MESSAGES, (long) MEMBERS * MESSAGES, totalNs / 1_000_000,
                MEMBERS * (double) MESSAGES / (totalNs / 1e9), dropped);
    }
}
