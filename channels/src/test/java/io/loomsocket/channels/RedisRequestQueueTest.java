package io.loomsocket.channels;

import io.loomsocket.Message;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SortedSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Far more joins at once than {@code redisRequestQueue} allows commands in flight, against a real
 * redis-server: every join waits for room rather than failing.
 */
@IntegrationTest
class RedisRequestQueueTest {
    static final AtomicInteger PREFIXES = new AtomicInteger();
    static RedisProcess redis;
    final String prefix = "rq" + PREFIXES.incrementAndGet();
    final List<ChannelLayer> layers = new ArrayList<>();

    @BeforeAll
    static void startRedis() throws Exception { redis = RedisProcess.start(); }

    @AfterAll
    static void stopRedis() { if (redis != null) redis.close(); }

    @AfterEach
    void closeLayers() { layers.forEach(ChannelLayer::close); }

    ChannelLayer server(int requestQueue) {
        var l = ChannelLayers.fromSetting(redis.uri(), ChannelLayerSettings.defaults().withKeyPrefix(prefix)
                .withRedisRequestQueue(requestQueue)
                .withRedisRequestQueueTimeout(Duration.ofMinutes(2))); // room comes as Redis answers: generous on a loaded box
        l.keepHistory("hist.", HistoryLimits.defaults());
        layers.add(l);
        return l;
    }

    /**
     * 400 connections on virtual threads each resume a history group from its first message (a
     * history read) and track their presence in it at once, through a layer allowed 4 commands in
     * flight: each join sends several commands, so the client's request queue would overflow if
     * the joins did not wait for room.
     */
    @Test
    void joinsFarBeyondTheRequestQueueWaitInsteadOfFailing() throws Exception {
        ChannelLayer layer = server(4);
        var first = new FakeWebSocket();
        layer.attach(first).groupAdd("hist.room");
        for (int i = 0; i < 3; i++) { // one at a time: a send never waits, and with 4 in flight it could find no room
            layer.groupSend("hist.room", Message.text("{\"n\":" + i + "}"));
            int n = i + 1;
            RealtimeContract.await(() -> RealtimeContract.ids(first).size() == n, "message " + n + " of the backlog");
        }
        String firstId = RealtimeContract.ids(first).getFirst();

        int joins = 400;
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        var sockets = new ArrayList<FakeWebSocket>();
        var threads = new ArrayList<Thread>();
        var presences = new ConcurrentLinkedQueue<SortedSet<String>>();
        for (int i = 0; i < joins; i++) {
            var ws = new FakeWebSocket();
            sockets.add(ws);
            String user = "u" + i;
            threads.add(Thread.ofVirtual().unstarted(() -> {
                try {
                    Channel ch = layer.attach(ws);
                    ch.identify(user);
                    ch.resume("hist.room", firstId, complete -> Message.text("resumed " + complete));
                    SortedSet<String> users = ch.track("hist.room");
                    if (!users.contains(user)) throw new AssertionError(user + " not in its own presence " + users);
                    presences.add(users);
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) t.join();

        assertThat(failures).isEmpty();
        assertThat(presences).hasSize(joins);
        for (var ws : sockets) { // the two messages after firstId, then the marker
            assertThat(RealtimeContract.numbers(ws)).startsWith(1, 2);
            assertThat(ws.texts()).contains("resumed true");
        }
        assertThat(layer.presence("hist.room")).hasSize(joins);
        // membership records refused for lack of room (sent without waiting) are redone by the supervisor
        RealtimeContract.await(() -> layer.groupMembers("hist.room").size() == joins + 1, "every membership recorded in Redis");
        layer.groupSend("hist.room", Message.text("{\"n\":3}"));
        for (var ws : sockets) RealtimeContract.await(() -> RealtimeContract.numbers(ws).contains(3), "the live message at " + ws.id());
        assertThat(layer.stats().publishFailed()).isZero();
    }
}
