package io.loomsocket.demo.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.testing.IntegrationTest;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Regression test for bugs.md B4: while a {@link DemoProcess} is attached and quiet, this JVM's
 * virtual threads must keep running. Its output used to be read on two virtual threads; a read
 * from a process pipe blocks the carrier, and once the scheduler's spare carrier retired after
 * 30 s without work (the JDK's keep-alive for the virtual-thread scheduler), a 2-core JVM had no
 * carrier left for any other virtual thread: the soak's client connections stopped answering the
 * server's pings and were dropped with 1011 (seen as 1006 when the client wrote first).
 */
@IntegrationTest
class PipeReadersTest {
    /** Longer than the virtual-thread scheduler's 30 s keep-alive of spare carriers. */
    private static final long QUIET_SECONDS = 35;

    @Test
    void virtualThreadsKeepRunningWhileTheDemoIsQuiet() throws Exception {
        try (DemoProcess demo = DemoProcess.start(Map.of(), "-Xmx128m")) {
            // some virtual-thread traffic first, as a test does before it goes quiet
            CountDownLatch warm = new CountDownLatch(200);
            for (int i = 0; i < 200; i++) {
                Thread.ofVirtual().start(() -> {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException ignored) {
                        // ends anyway
                    }
                    warm.countDown();
                });
            }
            assertThat(warm.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(TimeUnit.SECONDS.toMillis(QUIET_SECONDS));
            int n = 64;
            CountDownLatch ran = new CountDownLatch(n);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) Thread.ofVirtual().start(ran::countDown);
            boolean all = ran.await(10, TimeUnit.SECONDS);
            assertThat(all).as("%d of %d new virtual threads ran within 10 s after %d s with the demo attached and quiet",
                    n - ran.getCount(), n, QUIET_SECONDS).isTrue();
            System.out.printf("pipe readers: %d virtual threads ran %d ms after %d quiet seconds%n", n,
                    (System.nanoTime() - t0) / 1_000_000, QUIET_SECONDS);
        }
    }
}
