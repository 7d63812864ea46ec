package io.loomsocket.demo.hardening;

import io.loomsocket.WebSocket;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Watches a growing set of client WebSockets for ones that close on their own (the soak never
 * closes one before the end), twice a second: how many, with which close code and reason, and
 * when (seconds since the soak started). The failure message of the soak says who closed what.
 */
final class CloseWatch {
    private static final long PERIOD_MILLIS = 500;

    private final Iterable<WebSocket> sockets;
    private final long t0;
    private final Set<WebSocket> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ReentrantLock lock = new ReentrantLock();
    /** "code reason" -> [count, first second, last second] (guarded by lock). */
    private final Map<String, long[]> closes = new TreeMap<>();
    private final Thread thread;
    /** How long each connect (TCP + upgrade) took, for the report on the ones that closed. */
    private final Map<WebSocket, Long> connectNanos = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.LongAccumulator slowestConnect = new java.util.concurrent.atomic.LongAccumulator(Math::max, 0);
    private final java.util.concurrent.atomic.LongAdder connectsOver5s = new java.util.concurrent.atomic.LongAdder();
    private final java.util.List<String> examples = new java.util.ArrayList<>();

    private CloseWatch(Iterable<WebSocket> sockets, long t0) {
        this.sockets = sockets;
        this.t0 = t0;
        this.thread = Thread.ofPlatform().daemon().name("soak-close-watch").unstarted(this::run);
    }

    /** Run once, on the watch's thread, when the first close is seen (diagnostics: thread dumps). */
    private volatile Runnable onFirstClose = () -> { };

    static CloseWatch start(Iterable<WebSocket> sockets, long t0) {
        return start(sockets, t0, () -> { });
    }

    static CloseWatch start(Iterable<WebSocket> sockets, long t0, Runnable onFirstClose) {
        CloseWatch w = new CloseWatch(sockets, t0);
        w.onFirstClose = onFirstClose;
        w.thread.start();
        return w;
    }

    private void run() {
        try {
            boolean dumped = false;
            while (!Thread.currentThread().isInterrupted()) {
                scan();
                if (!dumped && !seenNone()) {
                    dumped = true;
                    onFirstClose.run();
                }
                Thread.sleep(PERIOD_MILLIS);
            }
        } catch (InterruptedException e) {
            // stopped
        }
    }

    private void scan() {
        long second = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        for (WebSocket ws : sockets) {
            if (!ws.isClosed()) continue;
            lock.lock();
            try {
                if (!seen.add(ws)) continue;
                String key = ws.closeCode().orElse(-1) + " \"" + ws.closeReason() + "\"";
                long[] v = closes.computeIfAbsent(key, k -> new long[] {0, second, second});
                v[0]++;
                v[2] = second;
                if (examples.size() < 5) {
                    examples.add(ws.closeCode().orElse(-1) + " at " + second + " s, its connect took "
                            + TimeUnit.NANOSECONDS.toMillis(connectNanos.getOrDefault(ws, -1_000_000L)) + " ms");
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private boolean seenNone() {
        lock.lock();
        try {
            return seen.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** A connect finished after {@code nanos}. */
    void connected(WebSocket ws, long nanos) {
        connectNanos.put(ws, nanos);
        slowestConnect.accumulate(nanos);
        if (nanos > TimeUnit.SECONDS.toNanos(5)) connectsOver5s.increment();
    }

    /** Connect times: the slowest and how many took over 5 s. */
    String connectTimes() {
        return "slowest connect " + TimeUnit.NANOSECONDS.toMillis(slowestConnect.get()) + " ms, "
                + connectsOver5s.sum() + " over 5 s";
    }

    /** Closes seen so far: "code "reason": count (first s .. last s)", empty if none. */
    String report() {
        scan();
        lock.lock();
        try {
            StringBuilder b = new StringBuilder();
            closes.forEach((k, v) -> b.append(b.isEmpty() ? "" : "; ").append(k).append(": ").append(v[0])
                    .append(" (at ").append(v[1]).append("..").append(v[2]).append(" s)"));
            if (!b.isEmpty()) b.append("; e.g. ").append(examples).append("; ").append(connectTimes());
            return b.toString();
        } finally {
            lock.unlock();
        }
    }

    void stop() throws InterruptedException {
        thread.interrupt();
        thread.join();
    }
}
