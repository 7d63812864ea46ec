package io.loomsocket.channels;

import io.loomsocket.Message;
import io.loomsocket.testing.ChildProcess;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The realtime contract on the Redis layer against a real redis-server: {@link #a()} and
 * {@link #b()} are two layers (two servers) on one Redis; plus the death of a server.
 */
@IntegrationTest
class RealtimeRedisTest extends RealtimeContract {
    static final AtomicInteger PREFIXES = new AtomicInteger();
    static RedisProcess redis;
    final String prefix = "rt" + PREFIXES.incrementAndGet();
    final List<ChannelLayer> layers = new ArrayList<>();
    ChannelLayer a, b;

    @BeforeAll
    static void startRedis() throws Exception { redis = RedisProcess.start(); }

    @AfterAll
    static void stopRedis() { if (redis != null) redis.close(); }

    ChannelLayer server(RealtimeSettings realtime) {
        var l = ChannelLayers.fromSetting(redis.uri(), ChannelLayerSettings.defaults().withKeyPrefix(prefix)
                .withOutboxCapacity(1000).withSweepInterval(Duration.ofMillis(20)), realtime);
        layers.add(l);
        return l;
    }

    @Override ChannelLayer a() { return a == null ? a = server(RealtimeSettings.defaults()) : a; }

    @Override ChannelLayer b() { return b == null ? b = server(RealtimeSettings.defaults()) : b; }

    @AfterEach
    void closeLayers() { layers.forEach(ChannelLayer::close); }

    /**
     * A server is killed with SIGKILL: a child JVM with its own layer, whose connection "alice"
     * tracks presence. Nothing in it gets to say goodbye, so only the expiry of its heartbeats
     * can make alice leave; bob, on this JVM's layer, sees her leave.
     */
    @Test
    void theUsersOfAServerKilledWithSigkillLeaveWhenItsHeartbeatsExpire() throws Exception {
        var realtime = RealtimeSettings.defaults().withPresenceTimeout(Duration.ofSeconds(2));
        ChannelLayer here = server(realtime);
        var bob = new FakeWebSocket();
        user(here, bob, "bob").track("room");
        try (ChildProcess child = ChildProcess.start("presence", ChildProcess.java(PresenceServerMain.class.getName(), List.of(),
                redis.uri(), prefix, "2000", "room", "alice"))) {
            child.awaitLine(Pattern.compile("^TRACKING$"), WAIT); // skips its logging
            await(() -> bob.texts().contains(JOIN_ALICE), "alice joins from the child server");
            assertThat(here.presence("room")).containsExactly("alice", "bob");
            Thread.sleep(3000); // longer than the timeout: her heartbeats keep her present
            assertThat(here.presence("room")).containsExactly("alice", "bob");
            assertThat(bob.texts()).doesNotContain(LEAVE_ALICE);
            child.kill(); // SIGKILL
            await(() -> bob.texts().contains(LEAVE_ALICE), "alice leaves through expiry");
            assertThat(here.presence("room")).containsExactly("bob");
            assertThat(bob.texts()).containsExactly(JOIN_ALICE, LEAVE_ALICE);
        }
    }

    @Test
    void keptMessagesSurviveTheirSendersAndComeFromTheStream() throws Exception {
        a().keepHistory("hist.", HistoryLimits.defaults());
        a().groupSend("hist.x", Message.text("{\"n\":1}"));
        a().groupSend("hist.x", Message.text("{\"n\":2}"));
        a().close(); // the sender is gone; its messages are in Redis
        b().keepHistory("hist.", HistoryLimits.defaults());
        var ws = new FakeWebSocket();
        var probe = new FakeWebSocket();
        b().attach(probe).groupAdd("hist.x");
        b().groupSend("hist.x", Message.text("{\"n\":3}"));
        await(() -> numbers(probe).equals(List.of(3)), "the live one");
        assertThat(b().attach(ws).resume("hist.x", "0-1", null)).isFalse(); // before the stream began
        assertThat(numbers(ws)).containsExactly(1, 2, 3);
    }

    /**
     * Redis is killed (SIGKILL) and started again empty: sends to a history group fail while it is
     * down and are counted; afterwards the reader goes on with the new stream, and a resume from an
     * id of the lost stream is told it is not complete.
     */
    @Test
    void aHistoryGroupGoesOnAfterRedisCameBackEmptyAndSaysWhatItLost() throws Exception {
        a().keepHistory("hist.", HistoryLimits.defaults());
        b().keepHistory("hist.", HistoryLimits.defaults());
        var member = new FakeWebSocket();
        b().attach(member).groupAdd("hist.o");
        a().groupSend("hist.o", n(1));
        await(() -> numbers(member).equals(List.of(1)), "the first");
        String before = ids(member).getFirst();
        redis.kill();
        await(() -> !a().stats().redisConnected() && !b().stats().redisConnected(), "both see the outage");
        for (int i = 0; i < 3; i++) a().groupSend("hist.o", n(100 + i));
        // a send's Redis command fails when the client gives up on it, not when it is made
        await(() -> a().stats().publishFailed() >= 3, "the sends while Redis was down are counted as failed");
        redis.restart();
        await(() -> a().stats().redisConnected() && b().stats().redisConnected(), "both reconnected");
        await(() -> {
            a().groupSend("hist.o", n(2));
            return numbers(member).contains(2);
        }, "sends reach the member again");
        assertThat(numbers(member)).doesNotContain(100, 101, 102);
        assertThat(a().stats().outages()).hasSize(1);
        assertThat(a().stats().outages().getFirst().undelivered()).isGreaterThanOrEqualTo(3);
        var again = new FakeWebSocket();
        assertThat(b().attach(again).resume("hist.o", before, null)).isFalse(); // the stream it came from is gone
        assertThat(numbers(again)).isNotEmpty().allMatch(i -> i == 2);
    }
}
