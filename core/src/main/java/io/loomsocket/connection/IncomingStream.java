package io.loomsocket.connection;

import io.loomsocket.WebSocket;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A received message handed to the application as it arrives (RFC 6455 §5.4 fragments, inflated
 * and UTF-8-checked by the engine). The reader (whichever thread reads the connection) {@link #offer}s chunks; at most
 * {@link #MAX_CHUNKS} wait here, then the reader blocks, which stops reading the socket until the
 * application catches up. So a message far bigger than memory streams through a bounded buffer.
 *
 * <p>One reader (producer) and one consumer thread at a time.
 */
final class IncomingStream extends WebSocket.MessageStream implements InboundQueue.Item {
    /** Chunks (each at most the engine's stream chunk size, 16 KiB by default) held at once. */
    static final int MAX_CHUNKS = 4;

    private final boolean text;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>(MAX_CHUNKS);
    private byte[] current;
    private int pos;
    private boolean ended;
    private boolean consumerClosed;
    private boolean discardWhenFull;
    private String failure;

    IncomingStream(boolean text) {
        this.text = text;
    }

    /** A complete, already received message presented as a stream. */
    static IncomingStream ofComplete(boolean text, byte[] data) {
        IncomingStream s = new IncomingStream(text);
        if (data.length > 0) s.chunks.add(data);
        s.ended = true;
        return s;
    }

    @Override
    public boolean isText() {
        return text;
    }

    // ---- producer (the reader) ----

    /** Adds a chunk; blocks while {@link #MAX_CHUNKS} are waiting. Dropped if the consumer closed. */
    void offer(byte[] chunk) throws InterruptedException {
        lock.lock();
        try {
            while (chunks.size() >= MAX_CHUNKS && !consumerClosed && !discardWhenFull && failure == null) {
                changed.await();
            }
            if (consumerClosed || failure != null || chunks.size() >= MAX_CHUNKS) return;
            chunks.addLast(chunk);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The message ended normally. */
    void finish() {
        lock.lock();
        try {
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The message will not end: reads fail with {@code reason} once the buffered chunks are read. */
    void fail(String reason) {
        lock.lock();
        try {
            if (!ended && failure == null) failure = reason;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** We are closing: the reader must not block on this stream any more. */
    void discardWhenFull() {
        lock.lock();
        try {
            discardWhenFull = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- consumer ----

    /**
     * Reads the rest of the message into memory (for {@code receive()} of a streamed message).
     *
     * @return the message, or null if it is longer than {@code limit} bytes
     * @throws IOException if the connection closed before the message ended
     */
    io.loomsocket.Message readWhole(int limit) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try (IncomingStream in = this) {
            for (int n; (n = in.read(chunk)) >= 0; ) {
                if (bytes.size() + n > limit) return null;
                bytes.write(chunk, 0, n);
            }
        }
        return text ? io.loomsocket.Message.text(bytes.toString(java.nio.charset.StandardCharsets.UTF_8))
                : io.loomsocket.Message.binary(bytes.toByteArray());
    }

    /** Makes {@link #current} a chunk with unread bytes; false at end of message. */
    private boolean fill() throws IOException {
        if (current != null && pos < current.length) return true;
        lock.lock();
        try {
            while (true) {
                if (consumerClosed) throw new IOException("stream closed");
                byte[] next = chunks.pollFirst();
                if (next != null) {
                    current = next;
                    pos = 0;
                    changed.signalAll();
                    return true;
                }
                if (ended) return false;
                if (failure != null) throw new IOException(failure);
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read() throws IOException {
        if (!fill()) return -1;
        return current[pos++] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) return 0;
        if (!fill()) return -1;
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        lock.lock();
        try {
            int n = current == null ? 0 : current.length - pos;
            for (byte[] c : chunks) n += c.length;
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Stops reading; the rest of the message is skipped as it arrives. */
    @Override
    public void close() {
        lock.lock();
        try {
            consumerClosed = true;
            chunks.clear();
            current = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
