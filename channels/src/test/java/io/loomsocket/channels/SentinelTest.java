package io.loomsocket.channels;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.loomsocket.Message;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.RedisProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code redis-sentinel://} against real processes: a master, its replica and a Sentinel
 * ({@code redis-server --sentinel}, Debian's redis-server package). The master is killed with
 * SIGKILL; the Sentinel promotes the replica; two layers (two servers) follow it.
 */
@IntegrationTest
class SentinelTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (var c : closing.reversed()) c.close();
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    static int freePort() throws IOException {
        try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String info(int port, String section) {
        var client = RedisClient.create(RedisURI.create("redis://127.0.0.1:" + port));
        try (var c = client.connect()) {
            return c.sync().info(section);
        } catch (RuntimeException e) {
            return "";
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    @Test
    void theLayerFollowsAFailoverAndLogsWhatItCouldNotDeliver() throws Exception {
        var master = RedisProcess.start();
        closing.add(master);
        var replica = RedisProcess.start("--replicaof", "127.0.0.1", String.valueOf(master.port()));
        closing.add(replica);
        await(() -> info(replica.port(), "replication").contains("master_link_status:up"), "the replica in sync");
        int sentinelPort = freePort();
        Path dir = Files.createTempDirectory("sentinel");
        Path conf = dir.resolve("sentinel.conf");
        Files.writeString(conf, String.join("\n",
                "port " + sentinelPort, "bind 127.0.0.1", "dir " + dir,
                "sentinel monitor m 127.0.0.1 " + master.port() + " 1",
                "sentinel down-after-milliseconds m 1000",
                "sentinel failover-timeout m 5000", ""));
        Process sentinel = new ProcessBuilder("/usr/bin/redis-server", conf.toString(), "--sentinel")
                .redirectErrorStream(true).redirectOutput(dir.resolve("sentinel.log").toFile()).start();
        closing.add(sentinel::destroyForcibly);
        await(() -> info(sentinelPort, "sentinel").contains("slaves=1"), "the Sentinel to know the replica");

        String uri = "redis-sentinel://127.0.0.1:" + sentinelPort + "/0#m";
        var settings = ChannelLayerSettings.defaults().withRedisReconnectMax(Duration.ofMillis(500));
        var a = ChannelLayers.fromSetting(uri, settings);
        closing.add(a);
        var b = ChannelLayers.fromSetting(uri, settings);
        closing.add(b);
        assertThat(a.stats().outages()).isEmpty();
        var onB = new FakeWebSocket();
        b.attach(onB).groupAdd("room");
        // One send at a time, each given time to arrive: a send still in flight when the master is
        // killed would be counted as undelivered too, and the count below must be exactly the five.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!onB.texts().contains("before")) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for a to reach b");
            a.groupSend("room", Message.text("before"));
            long settle = System.nanoTime() + 2_000_000_000L;
            while (!onB.texts().contains("before") && System.nanoTime() < settle) Thread.sleep(20);
        }

        master.kill(); // SIGKILL: the Sentinel must promote the replica
        await(() -> !a.stats().redisConnected(), "a notices the master is gone");
        int undelivered = 0;
        for (int i = 0; i < 5; i++) {
            a.groupSend("room", Message.text("during " + i)); // nobody to hand it to: counted
            undelivered++;
        }
        await(() -> info(replica.port(), "replication").contains("role:master"), "the replica promoted");
        await(() -> a.stats().redisConnected() && a.stats().outages().stream().allMatch(o -> o.end().isPresent())
                && b.stats().redisConnected(), "both layers on the new master");
        await(() -> {
            a.groupSend("room", Message.text("after"));
            return onB.texts().contains("after");
        }, "a reaches b through the new master");

        var outages = a.stats().outages();
        assertThat(outages).hasSize(1);
        assertThat(outages.getFirst().undelivered()).isEqualTo(undelivered);
        assertThat(a.stats().publishFailed()).isGreaterThanOrEqualTo(undelivered); // also a probe that may have failed as the outage ended
        assertThat(onB.texts()).noneMatch(t -> t.startsWith("during"));
    }
}
