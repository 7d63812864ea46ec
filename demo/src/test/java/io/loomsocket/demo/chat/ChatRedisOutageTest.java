package io.loomsocket.demo.chat;

import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.RedisProcess;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/** Redis killed and restarted under two chat server processes (the rooms keep their history in Redis). */
@IntegrationTest
class ChatRedisOutageTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    static void await(Callable<Boolean> condition, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    @Test
    void messagesSentDuringTheOutageAreCountedAndTheLostIntervalReported() throws Exception {
        try (var redis = RedisProcess.start();
             var a = ChatProcess.start(redis.uri());
             var b = ChatProcess.start(redis.uri());
             var onA = ChatClient.connect(a, "outage", "alice");
             var onB = ChatClient.connect(b, "outage", "bob")) {
            ChatClusterTest.Chat.link(List.of(onA, onB));
            onA.send("before");
            assertThat(ChatClusterTest.Chat.collect(onB, 1, WAIT)).containsExactly("before");
            assertThat(ChatClusterTest.Chat.collect(onA, 1, WAIT)).containsExactly("before");

            redis.kill();
            await(() -> a.stat("redis_connected").equals("false"), "server a notices Redis is gone");
            // a room's messages get their ids (their one order) in Redis: without it nobody gets them
            for (int i = 0; i < 5; i++) onA.send("during" + i);
            await(() -> a.log().contains("is unreachable"), "a clear error in server a's log");

            redis.restart();
            await(() -> a.stat("redis_connected").equals("true") && b.stat("redis_connected").equals("true"), "both reconnect");
            await(() -> a.stats().contains("\"end\":\"") && b.stats().contains("\"end\":\""), "both close their outage");
            onA.send("after");
            assertThat(ChatClusterTest.Chat.collect(onB, 1, WAIT)).as("nothing from the outage, then recovery").containsExactly("after");
            assertThat(a.stat("publish_failed")).isEqualTo("5");
            assertThat(a.stats()).contains("\"undelivered\":5");
            await(() -> a.log().contains(" is back."), "server a reports the outage");
            assertThat(a.log()).containsPattern("Redis at 127\\.0\\.0\\.1:\\d+/0 is back\\. Redis outage from \\S+ to \\S+ \\(\\d+ ms, 5 messages not delivered to other servers\\)");
        }
    }
}
