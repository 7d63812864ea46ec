package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The server's spare request-head buffers, and the HttpInput that takes and gives them back. */
class BufferPoolTest {

    @Test
    void aGivenBufferIsTakenAgainAndTheRestAreNew() {
        BufferPool pool = new BufferPool(64);
        byte[] a = pool.take();
        byte[] b = pool.take();
        assertThat(a).hasSize(64).isNotSameAs(b);
        pool.give(a);
        assertThat(pool.take()).isSameAs(a);
        assertThat(pool.take()).isNotSameAs(a).isNotSameAs(b);
    }

    @Test
    void keepsOnlyBuffersOfItsSizeAndAtMostItsLimit() {
        BufferPool pool = new BufferPool(64);
        pool.give(new byte[128]); // grown for a long line
        assertThat(pool.take()).hasSize(64);

        Set<byte[]> given = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < BufferPool.MAX_BUFFERS + 10; i++) {
            byte[] b = new byte[64];
            given.add(b);
            pool.give(b);
        }
        int kept = 0;
        for (int i = 0; i < BufferPool.MAX_BUFFERS + 10; i++) {
            if (given.contains(pool.take())) kept++;
        }
        assertThat(kept).isEqualTo(BufferPool.MAX_BUFFERS);
    }

    /** A buffer is never handed to two takers at once, however many threads take and give. */
    @Test
    void noBufferIsHeldTwice() throws Exception {
        BufferPool pool = new BufferPool(16);
        Map<byte[], Boolean> held = new ConcurrentHashMap<>();
        AtomicBoolean twice = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(8);
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 8; t++) {
                executor.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        byte[] b = pool.take();
                        if (held.putIfAbsent(b, Boolean.TRUE) != null) twice.set(true);
                        held.remove(b);
                        pool.give(b);
                    }
                    done.countDown();
                });
            }
            done.await();
        }
        assertThat(twice).isFalse();
    }

    /** Bytes of a previous connection left in a reused buffer are never read again. */
    @Test
    void aReusedBufferShowsOnlyTheNewConnectionsBytes() throws Exception {
        BufferPool pool = new BufferPool(HttpInput.BUFFER_SIZE);
        HttpInput first = new HttpInput(null, stream("GET /a-long-path-that-fills-the-buffer HTTP/1.1\r\nHost: h\r\n\r\nFRAMES-OF-FIRST"), 8192, pool);
        assertThat(first.readLine(8192, () -> new HttpException(414, "long"))).startsWith("GET /a-long-path");
        first.readLine(8192, () -> new HttpException(431, "long"));
        first.readLine(8192, () -> new HttpException(431, "long"));
        byte[] used = first.buffer();
        assertThat(new String(first.drain(), StandardCharsets.ISO_8859_1)).isEqualTo("FRAMES-OF-FIRST");

        HttpInput second = new HttpInput(null, stream("GET / HTTP/1.1\r\n\r\n"), 8192, pool);
        assertThat(second.readLine(8192, () -> new HttpException(414, "long"))).isEqualTo("GET / HTTP/1.1");
        assertThat(second.buffer()).as("the first connection's buffer, reused").isSameAs(used);
        assertThat(second.readLine(8192, () -> new HttpException(431, "long"))).isEmpty();
        assertThat(second.drain()).isEmpty();
        assertThat(pool.take()).as("given back again").isSameAs(used);
    }

    @Test
    void releaseGivesTheBufferBackOnceAndTheInputHoldsNoneAfterwards() throws Exception {
        BufferPool pool = new BufferPool(HttpInput.BUFFER_SIZE);
        HttpInput in = new HttpInput(null, stream("GET / HTTP/1.1\r\n"), 8192, pool);
        assertThat(in.await()).isTrue();
        in.release();
        in.release();
        byte[] b = pool.take();
        assertThat(pool.take()).as("given back once, not twice").isNotSameAs(b);
        assertThat(in.buffered()).isZero();
    }

    private static ByteArrayInputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
    }
}
