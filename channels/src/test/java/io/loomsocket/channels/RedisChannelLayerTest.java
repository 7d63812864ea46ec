package io.loomsocket.channels;

import io.lettuce.core.RedisClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.loomsocket.Message;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The Redis layer against a real redis-server: two layers here are two servers sharing one Redis. */
@IntegrationTest
class RedisChannelLayerTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final AtomicInteger PREFIXES = new AtomicInteger();
    static RedisProcess redis;
    final List<ChannelLayer> layers = new ArrayList<>();
    final String prefix = "t" + PREFIXES.incrementAndGet(); // each test its own key space

    @BeforeAll
    static void startRedis() throws Exception { redis = RedisProcess.start(); }

    @AfterAll
    static void stopRedis() throws Exception { if (redis != null) redis.close(); }

    @AfterEach
    void closeLayers() { layers.forEach(ChannelLayer::close); }

    RedisChannelLayer server(ChannelLayerSettings s) {
        var l = (RedisChannelLayer) ChannelLayers.fromSetting(redis.uri(), s.withKeyPrefix(prefix));
        layers.add(l);
        return l;
    }

    RedisChannelLayer server() { return server(ChannelLayerSettings.defaults()); }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    /** Subscriptions are asynchronous: wait until a probe sent from {@code from} reaches {@code to}. */
    static void awaitLinked(ChannelLayer from, String group, FakeWebSocket to) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (to.sent().stream().noneMatch(m -> m.text().equals("probe"))) {
            if (System.nanoTime() > deadline) throw new AssertionError("group " + group + " never linked");
            from.groupSend(group, Message.text("probe"));
            Thread.sleep(20);
        }
    }

    static List<String> withoutProbes(FakeWebSocket ws) {
        return ws.texts().stream().filter(t -> !t.equals("probe")).toList();
    }

    @Test
    void groupSendReachesEveryMemberOnEveryServerOnceAndInOrderPerSender() throws Exception {
        var a = server(ChannelLayerSettings.defaults().withOutboxCapacity(1000));
        var b = server(ChannelLayerSettings.defaults().withOutboxCapacity(1000));
        var clients = new ArrayList<FakeWebSocket>();
        for (var layer : List.of(a, b)) {
            for (int i = 0; i < 3; i++) {
                var ws = new FakeWebSocket();
                layer.attach(ws).groupAdd("room");
                clients.add(ws);
            }
        }
        awaitLinked(a, "room", clients.get(5));
        awaitLinked(b, "room", clients.get(0));
        int n = 300;
        Thread ta = Thread.ofVirtual().start(() -> { for (int i = 0; i < n; i++) a.groupSend("room", Message.text("a" + i)); });
        Thread tb = Thread.ofVirtual().start(() -> { for (int i = 0; i < n; i++) b.groupSend("room", Message.text("b" + i)); });
        ta.join();
        tb.join();
        for (var ws : clients) {
            await(() -> withoutProbes(ws).size() >= 2 * n, "all messages at " + ws.id());
            Thread.sleep(20);
            var got = withoutProbes(ws);
            assertThat(got).hasSize(2 * n).doesNotHaveDuplicates();
            assertThat(got.stream().filter(t -> t.startsWith("a")).toList()).isEqualTo(IntStream.range(0, n).mapToObj(i -> "a" + i).toList());
            assertThat(got.stream().filter(t -> t.startsWith("b")).toList()).isEqualTo(IntStream.range(0, n).mapToObj(i -> "b" + i).toList());
        }
        assertThat(a.groupMembers("room")).hasSize(6).isEqualTo(b.groupMembers("room"));
        assertThat(a.stats().publishFailed()).isZero();
        assertThat(b.stats().remoteMissed()).isZero();
    }

    @Test
    void anUnreachableRedisAtStartUpIsAClearError() throws Exception {
        int closedPort;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChannelLayers.fromSetting("redis://127.0.0.1:" + closedPort + "/0"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot connect to Redis at 127.0.0.1:" + closedPort + "/0");
    }

    @Test
    void sendToAChannelAndGroupAddAcrossServers() throws Exception {
        var a = server();
        var b = server();
        var wsB = new FakeWebSocket();
        Channel chB = b.attach(wsB);
        a.send(chB.name(), Message.text("direct"));
        a.send(chB.name(), Message.binary(new byte[] {7}));
        assertThat(wsB.awaitSent(2, WAIT)).containsExactly(Message.text("direct"), Message.binary(new byte[] {7}));
        a.groupAdd("remote-added", chB.name()); // chB lives on b: a asks b to add it
        await(() -> chB.groups().contains("remote-added"), "remote group add");
        awaitLinked(a, "remote-added", wsB);
        a.groupDiscard("remote-added", chB.name());
        await(() -> chB.groups().isEmpty(), "remote group discard");
        a.send(b.serverId() + "!nobody", Message.text("lost"));
        await(() -> b.stats().unknownChannel() == 1, "unknown channel counted at b");
    }

    @Test
    void membershipLivesInRedisRefreshedWhileAliveAndExpiresForDeadServers() throws Exception {
        var a = server(ChannelLayerSettings.defaults().withGroupExpiry(Duration.ofSeconds(1)));
        var ws = new FakeWebSocket();
        Channel ch = a.attach(ws);
        ch.groupAdd("g");
        String key = prefix + ":group:g";
        var raw = RedisClient.create(redis.uri());
        try (var c = raw.connect()) {
            c.sync().zadd(key, System.currentTimeMillis() - 5_000, "s.deaddeaddead!x"); // a crashed server's member
            await(() -> a.groupMembers("g").equals(java.util.Set.of(ch.name())), "dead member expired");
            Thread.sleep(2_500); // > groupExpiry: only the refresh keeps ch in the set
            assertThat(a.groupMembers("g")).containsExactly(ch.name());
            assertThat(c.sync().ttl(key)).isBetween(0L, 1L);
            ws.close();
            await(() -> a.groupMembers("g").isEmpty(), "closed connection removed from Redis");
        } finally {
            raw.shutdown();
        }
    }

    @Test
    void aSlowMemberOnAnotherServerDoesNotDelayTheOthers() throws Exception {
        var a = server();
        var b = server(ChannelLayerSettings.defaults().withOutboxCapacity(20));
        var slow = new FakeWebSocket();
        var fast = new FakeWebSocket();
        Channel cs = b.attach(slow);
        cs.groupAdd("g");
        b.attach(fast).groupAdd("g");
        awaitLinked(a, "g", fast);
        slow.block();
        int sent = 0;
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 10; i++) a.groupSend("g", Message.text("m" + sent++));
            int expect = sent;
            await(() -> withoutProbes(fast).size() >= expect, "fast member keeps up");
        }
        assertThat(withoutProbes(fast)).hasSize(500).endsWith("m499");
        assertThat(cs.dropped()).isGreaterThanOrEqualTo(500 - 21 - 10); // minus probes in flight, capacity
        slow.unblock();
        await(() -> withoutProbes(slow).contains("m499"), "slow member gets the newest");
    }

    @Test
    void aReceiverCountsMessagesItMissed() throws Exception {
        var b = server();
        var ws = new FakeWebSocket();
        b.attach(ws).groupAdd("g");
        var raw = RedisClient.create(redis.uri());
        try (var c = raw.connect(ByteArrayCodec.INSTANCE)) {
            byte[] channel = (prefix + ":g:g").getBytes(StandardCharsets.US_ASCII);
            await(() -> c.sync().publish(channel, envelope("s.otherserverx", 1, "one")) == 1, "subscribed");
            c.sync().publish(channel, envelope("s.otherserverx", 2, "two"));
            c.sync().publish(channel, envelope("s.otherserverx", 6, "six")); // 3, 4, 5 never arrived
            c.sync().publish(channel, "not an envelope".getBytes(StandardCharsets.US_ASCII));
            c.sync().publish(channel, envelope("s.otherserverx", 7, "seven"));
        } finally {
            raw.shutdown();
        }
        assertThat(ws.awaitSent(4, WAIT).stream().map(Message::text).toList()).containsExactly("one", "two", "six", "seven");
        assertThat(b.stats().remoteMissed()).isEqualTo(3);
    }

    static byte[] envelope(String origin, long seq, String text) {
        var e = Envelope.of(Message.text(text), origin, "g");
        byte[] bytes = e.encode();
        Envelope.stampSeq(bytes, e.seqOffset(), seq);
        return bytes;
    }

    @Test
    void redisKilledAndRestartedLocalDeliveryGoesOnLossIsCountedAndReported() throws Exception {
        var a = server();
        var b = server();
        var onA = new FakeWebSocket();
        var onB = new FakeWebSocket();
        a.attach(onA).groupAdd("g");
        b.attach(onB).groupAdd("g");
        awaitLinked(a, "g", onB);
        a.groupSend("g", Message.text("before"));
        await(() -> withoutProbes(onB).contains("before"), "before");

        redis.kill();
        await(() -> !a.stats().redisConnected() && !a.stats().outages().isEmpty(), "a notices the outage");
        for (int i = 0; i < 10; i++) a.groupSend("g", Message.text("during" + i));
        await(() -> withoutProbes(onA).contains("during9"), "local delivery during the outage");
        assertThat(a.stats().publishFailed()).isEqualTo(10);
        Outage ongoing = a.stats().outages().getLast();
        assertThat(ongoing.end()).isEmpty();
        assertThat(ongoing.undelivered()).isEqualTo(10);
        var joinedDuringOutage = new FakeWebSocket();
        Channel late = b.attach(joinedDuringOutage);
        late.groupAdd("g2"); // works locally; its Redis subscription and membership follow on reconnection
        late.groupAdd("g");
        b.groupSend("g2", Message.text("local while down"));
        assertThat(joinedDuringOutage.awaitSent(1, WAIT)).containsExactly(Message.text("local while down"));

        redis.restart();
        await(() -> a.stats().redisConnected() && b.stats().redisConnected(), "reconnected");
        await(() -> a.stats().outages().getLast().end().isPresent() && b.stats().outages().getLast().end().isPresent(), "outage closed");
        Outage o = a.stats().outages().getLast();
        assertThat(o.undelivered()).isEqualTo(10);
        assertThat(o.duration()).isPositive();
        assertThat(o.toString()).contains("10 messages not delivered");
        a.groupSend("g", Message.text("after"));
        await(() -> withoutProbes(onB).contains("after"), "delivery across servers resumed");
        assertThat(withoutProbes(onB)).noneMatch(t -> t.startsWith("during"));
        assertThat(b.stats().remoteMissed()).as("refused during a known outage: counted once, at the sender").isZero();
        a.groupSend("g2", Message.text("to the group made during the outage"));
        assertThat(joinedDuringOutage.awaitSent(3, WAIT).stream().map(Message::text).toList())
                .containsExactly("local while down", "after", "to the group made during the outage");
        assertThat(a.groupMembers("g")).hasSize(3); // memberships re-recorded in the new (empty) Redis
        assertThat(a.groupMembers("g2")).containsExactly(late.name());
    }
}
