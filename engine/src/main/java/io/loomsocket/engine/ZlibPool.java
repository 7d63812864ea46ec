package io.loomsocket.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * JVM-wide bounded pools of raw-deflate (nowrap) {@link Deflater}s, one pool per compression
 * level, and {@link Inflater}s, used when no context takeover is negotiated: zlib state is then
 * needed only while one message is compressed or decompressed. At most {@code capacity} idle
 * objects are kept per pool; beyond that, returned objects are {@code end()}ed. Lock-free.
 */
final class ZlibPool {
    /** Index = compression level 0..9. */
    private static final List<Pool<Deflater>> DEFLATERS = newDeflaterPools();
    private static final Pool<Inflater> INFLATERS = new Pool<>();

    private ZlibPool() {}

    private static List<Pool<Deflater>> newDeflaterPools() {
        List<Pool<Deflater>> p = new ArrayList<>(10);
        for (int i = 0; i < 10; i++) {
            p.add(new Pool<>());
        }
        return List.copyOf(p);
    }

    private static final class Pool<T> {
        final ConcurrentLinkedQueue<T> idle = new ConcurrentLinkedQueue<>();
        final AtomicInteger size = new AtomicInteger();

        T poll() {
            T t = idle.poll();
            if (t != null) {
                size.decrementAndGet();
            }
            return t;
        }

        boolean offer(T t, int capacity) {
            if (size.incrementAndGet() > capacity) {
                size.decrementAndGet();
                return false;
            }
            idle.offer(t);
            return true;
        }
    }

    static Deflater borrowDeflater(int level) {
        Deflater d = DEFLATERS.get(level).poll();
        return d != null ? d : new Deflater(level, true);
    }

    /** Resets {@code d} and keeps it if the pool has room, else ends it. */
    static void returnDeflater(Deflater d, int level, int capacity) {
        d.reset();
        if (!DEFLATERS.get(level).offer(d, capacity)) {
            d.end();
        }
    }

    static Inflater borrowInflater() {
        Inflater i = INFLATERS.poll();
        return i != null ? i : new Inflater(true);
    }

    /** Resets {@code i} and keeps it if the pool has room, else ends it. */
    static void returnInflater(Inflater i, int capacity) {
        i.reset();
        if (!INFLATERS.offer(i, capacity)) {
            i.end();
        }
    }

    /** Idle objects pooled now (for tests and memory reports). */
    static int idleCount() {
        int n = INFLATERS.size.get();
        for (Pool<Deflater> p : DEFLATERS) {
            n += p.size.get();
        }
        return n;
    }
}
