package io.loomsocket.hardening;

import io.loomsocket.testing.JvmProbe;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Resource probes for leak checks of this JVM: file descriptors and threads ({@link JvmProbe}),
 * heap in use after GC, and waiting for a condition. (The server module's tests compile inside its
 * JPMS module, which does not read java.management; jcmd needs nothing.)
 */
final class Probe {
    private Probe() {}

    static long self() {
        return JvmProbe.self();
    }

    static int fds() {
        return JvmProbe.fds(self());
    }

    static int fds(long pid) {
        return JvmProbe.fds(pid);
    }

    /** Every thread of the JVM, platform and virtual, counted in a JSON thread dump. */
    static int threads() {
        return JvmProbe.threads(self());
    }

    static int threads(long pid) {
        return JvmProbe.threads(pid);
    }

    /** Threads of this JVM whose name starts with {@code prefix} (e.g. "loomsocket-conn"). */
    static int threadsNamed(String prefix) {
        return JvmProbe.threadsNamed(self(), prefix);
    }

    /** Heap bytes of this JVM in use after a few full GCs. */
    static long heapAfterGc() {
        long used = Long.MAX_VALUE;
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            sleep(50);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    /** Sets a java.util.logging level by reflection (null: inherit); returns the logger, to be held. */
    static Object logLevel(String logger, String level) {
        try {
            Class<?> loggerClass = Class.forName("java.util.logging.Logger");
            Class<?> levelClass = Class.forName("java.util.logging.Level");
            Object l = loggerClass.getMethod("getLogger", String.class).invoke(null, logger);
            Object lv = level == null ? null : levelClass.getMethod("parse", String.class).invoke(null, level);
            loggerClass.getMethod("setLevel", levelClass).invoke(l, lv);
            return l;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Polls {@code condition} every 10 ms until it holds or {@code timeout} passes; returns its last value. */
    static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) return condition.getAsBoolean();
            sleep(10);
        }
        return true;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
