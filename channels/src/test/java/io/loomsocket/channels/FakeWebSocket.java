package io.loomsocket.channels;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * TEST FAKE: a WebSocket that records what is sent to it, for unit tests of the layer without a
 * network. {@link #block()} makes send() wait (a peer that does not read) until {@link #unblock()}.
 */
final class FakeWebSocket implements WebSocket {
    private static final AtomicInteger IDS = new AtomicInteger();
    private final String id = "fake" + IDS.incrementAndGet();
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Message> sent = new ArrayList<>();
    private volatile boolean closed;
    private volatile int closeCode = -1;
    private boolean blocked;
    final CountDownLatch firstSendStarted = new CountDownLatch(1);
    /** When set, send() only counts down this latch (for benchmarks: nothing is stored). */
    volatile CountDownLatch countOnly;

    void block() { lock.lock(); try { blocked = true; } finally { lock.unlock(); } }

    void unblock() { lock.lock(); try { blocked = false; changed.signalAll(); } finally { lock.unlock(); } }

    List<Message> sent() { lock.lock(); try { return List.copyOf(sent); } finally { lock.unlock(); } }

    List<String> texts() { return sent().stream().map(Message::text).toList(); }

    /** Waits until {@code n} messages were sent; returns them. */
    List<Message> awaitSent(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (sent.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new AssertionError("only " + sent.size() + " of " + n + " messages arrived"
                        + (sent.isEmpty() ? "" : ", the last " + sent.get(sent.size() - 1)));
                changed.await(left, TimeUnit.NANOSECONDS);
            }
            return List.copyOf(sent);
        } finally {
            lock.unlock();
        }
    }

    @Override public void send(Message message) {
        CountDownLatch c = countOnly;
        if (c != null) {
            c.countDown();
            return;
        }
        firstSendStarted.countDown();
        lock.lock();
        try {
            while (blocked && !closed) changed.awaitUninterruptibly();
            if (closed) throw new WebSocketClosedException(1006, "");
            sent.add(message);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override public void send(String text) { send(Message.text(text)); }
    @Override public void send(byte[] data) { send(Message.binary(data)); }
    @Override public void send(byte[] data, int offset, int length) { send(Message.binary(java.util.Arrays.copyOfRange(data, offset, offset + length))); }

    @Override public void close(int code, String reason) {
        lock.lock();
        try {
            if (!closed) closeCode = code;
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override public void close() { close(1000, ""); }
    @Override public void abort() { close(1006, ""); }
    @Override public boolean isClosed() { return closed; }
    @Override public State state() { return closed ? State.CLOSED : State.OPEN; }
    @Override public OptionalInt closeCode() { return closed ? OptionalInt.of(closeCode) : OptionalInt.empty(); }
    @Override public String closeReason() { return ""; }
    @Override public String id() { return id; }
    @Override public Map<String, Object> attributes() { return attributes; }
    @Override public SocketAddress remoteAddress() { return new InetSocketAddress("127.0.0.1", 1); }
    @Override public Optional<String> subprotocol() { return Optional.empty(); }
    @Override public String extensions() { return ""; }

    // receiving is not used by the layer
    @Override public Optional<Message> receive() { throw new UnsupportedOperationException(); }
    @Override public Optional<Message> receive(Duration timeout) { throw new UnsupportedOperationException(); }
    @Override public Optional<Message> read() { return Optional.empty(); }
    @Override public boolean hasMessages() { return false; }
    @Override public int countMessages() { return 0; }
    @Override public Optional<MessageStream> receiveStream() { throw new UnsupportedOperationException(); }
    @Override public Iterator<Message> iterator() { throw new UnsupportedOperationException(); }
    @Override public OutputStream sendStream(boolean text) { throw new UnsupportedOperationException(); }
    @Override public Duration ping() { throw new UnsupportedOperationException(); }
    @Override public void pong(byte[] payload) { throw new UnsupportedOperationException(); }
}
