package io.loomsocket.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared timer runs tasks without a wrapper per task, and a failing task stops nothing. */
@Timeout(10)
class SharedTimersTest {

    @Test
    void failingTasksLeaveTheTimerRunning() throws Exception {
        SharedTimers timers = new SharedTimers("test-timer");
        try {
            timers.schedule((Runnable) () -> {
                throw new IllegalStateException("a failing runnable");
            }, 0);
            timers.schedule(() -> {
                throw new IllegalStateException("a failing callable");
            }, 0);
            AtomicInteger ticks = new AtomicInteger();
            timers.scheduleAtFixedRate(() -> {
                if (ticks.incrementAndGet() == 1) throw new IllegalStateException("a failing periodic run");
            }, TimeUnit.MILLISECONDS.toNanos(1));
            CountDownLatch ran = new CountDownLatch(2);
            timers.schedule((Runnable) ran::countDown, TimeUnit.MILLISECONDS.toNanos(5));
            timers.schedule(() -> {
                ran.countDown();
                return null;
            }, TimeUnit.MILLISECONDS.toNanos(5));
            assertThat(ran.await(5, TimeUnit.SECONDS)).as("later tasks ran").isTrue();
            while (ticks.get() < 3) Thread.sleep(1); // the periodic task goes on after its failure
        } finally {
            timers.shutdown();
        }
    }
}
