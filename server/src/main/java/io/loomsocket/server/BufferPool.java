package io.loomsocket.server;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A server's spare request-head buffers: a connection takes one when it starts reading and gives
 * it back when its head reading is over (at the upgrade, or when the connection ends), so that a
 * new connection, most often a WebSocket handshake that needs its buffer for one request, does not
 * allocate one. At most {@link #MAX_BUFFERS} are kept; a connection finds none free when more are
 * reading at once, and allocates its own, which it gives back if there is room then. Shared by the
 * server's connections (lock-free); not a per-thread cache, which on virtual threads would be one
 * per connection.
 */
final class BufferPool {
    /** Most spare buffers kept: 128 of {@link HttpInput#BUFFER_SIZE} bytes, 256 KiB per server. */
    static final int MAX_BUFFERS = 128;

    private final int bufferSize;
    private final AtomicReferenceArray<byte[]> slots = new AtomicReferenceArray<>(MAX_BUFFERS);

    BufferPool(int bufferSize) {
        this.bufferSize = bufferSize;
    }

    /** A buffer of the pool's size, spare or new; its contents are left over from its last use. */
    byte[] take() {
        for (int i = 0; i < MAX_BUFFERS; i++) {
            byte[] b = slots.getPlain(i);
            if (b != null && slots.compareAndSet(i, b, null)) return b;
        }
        return new byte[bufferSize];
    }

    /** Keeps {@code b} for another connection if it has the pool's size and there is room; the caller must not use it again. */
    void give(byte[] b) {
        if (b.length != bufferSize) return; // grown for a long line: let it go
        for (int i = 0; i < MAX_BUFFERS; i++) {
            if (slots.getPlain(i) == null && slots.compareAndSet(i, null, b)) return;
        }
    }
}
