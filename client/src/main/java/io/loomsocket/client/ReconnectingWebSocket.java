package io.loomsocket.client;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.WebSocketException;
import io.loomsocket.WebSocketTimeoutException;

import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * A {@link WebSocket} that connects again by itself when its connection is lost, with
 * exponential backoff and full jitter: the pause before attempt {@code n} is a random time
 * between 0 and {@code min(maxDelay, initialDelay × 2^n)}.
 *
 * <pre>{@code
 * AtomicReference<String> lastId = new AtomicReference<>();
 * WebSocket ws = ReconnectingWebSocket.builder(() -> URI.create("ws://127.0.0.1:8000/chat/lobby"
 *                 + (lastId.get() == null ? "" : "?since=" + lastId.get())))
 *         .onOpen(conn -> log.info("connected"))   // every (re)connection, before anything else is sent on it
 *         .connect();
 * for (Message m : ws) { ... lastId.set(idOf(m)); }  // goes on across reconnections
 * }</pre>
 *
 * <p>Resuming: the URI supplier is asked at every connection (put the last id you saw in it),
 * and {@link Builder#onOpen} runs on every new connection before it is used (send the last id
 * there if your protocol takes it as a message).
 *
 * <p>Receiving returns empty only after {@link #close} or when the server ended the connection
 * with a code that says trying again will not help ({@link Builder#reconnectIf}; by default
 * everything but 1000, 1002, 1003, 1007, 1008, 1009 and 1010), or refused the upgrade with a 4xx
 * status. Sending while disconnected waits for the next connection (at most
 * {@link Builder#sendTimeout}); a send that fails because the connection broke is made again on
 * the next one. A message written to a connection that is already dead but not yet known to be
 * (TCP says nothing until a read or a later write fails) is lost, as with any WebSocket: a
 * protocol that must not lose messages acknowledges them (the ids of kept messages do this for
 * what the server sends). The methods that describe the connection describe the current one.
 *
 * <p>Thread-safe as {@link WebSocket} is: one receiving thread, any number of senders.
 */
public final class ReconnectingWebSocket implements WebSocket {
    private static final System.Logger LOG = System.getLogger(ReconnectingWebSocket.class.getName());
    private static final Set<Integer> FINAL_CODES = Set.of(1000, 1002, 1003, 1007, 1008, 1009, 1010);

    private final WebSocketClient client;
    private final Supplier<URI> uri;
    private final Consumer<WebSocket> onOpen;
    private final IntPredicate reconnectIf;
    private final Duration initialDelay, maxDelay, sendTimeout;
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicLong connections = new AtomicLong();
    private WebSocket current;       // guarded by lock; null while (re)connecting
    private boolean connecting;      // guarded by lock
    private volatile boolean finished; // closed by us, or ended for good
    private volatile RuntimeException finalError;

    private ReconnectingWebSocket(Builder b) {
        this.client = b.client;
        this.uri = b.uri;
        this.onOpen = b.onOpen;
        this.reconnectIf = b.reconnectIf;
        this.initialDelay = b.initialDelay;
        this.maxDelay = b.maxDelay;
        this.sendTimeout = b.sendTimeout;
    }

    public static Builder builder(URI uri) {
        Objects.requireNonNull(uri, "uri");
        return new Builder(() -> uri);
    }

    /** A builder whose URI is computed at every connection (e.g. with the last id seen). */
    public static Builder builder(Supplier<URI> uri) { return new Builder(Objects.requireNonNull(uri, "uri")); }

    /** True while a connection is open; false while reconnecting and once finished. */
    public boolean isConnected() {
        WebSocket ws = peek();
        return !finished && ws != null && !ws.isClosed();
    }

    /** How many connections were opened so far (1 after the first connect). */
    public long connections() { return connections.get(); }

    /**
     * The open connection, connecting (and waiting through backoff) if there is none.
     *
     * @throws WebSocketClosedException once this WebSocket is finished
     */
    private WebSocket connection(long waitNanos) {
        long deadline = System.nanoTime() + waitNanos;
        lock.lock();
        try {
            while (true) {
                if (finished) throw finalError != null ? finalError : new WebSocketClosedException(closeCode().orElse(1000), "closed");
                if (current != null && !current.isClosed()) return current;
                if (current != null && !reconnectIf.test(current.closeCode().orElse(1006))) { // ended for good
                    finished = true;
                    changed.signalAll();
                    continue;
                }
                if (!connecting) break;
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new WebSocketTimeoutException("not reconnected within " + Duration.ofNanos(waitNanos));
                changed.awaitNanos(left);
            }
            connecting = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WebSocketException("interrupted while waiting for a connection", e);
        } finally {
            lock.unlock();
        }
        WebSocket ws = null;
        try {
            ws = dial();
        } finally {
            lock.lock();
            try {
                connecting = false;
                if (ws != null) current = ws;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
        return ws;
    }

    /** Connects, with backoff between failed attempts, until it works or this is finished. */
    private WebSocket dial() {
        for (int attempt = 0; ; attempt++) {
            if (finished) throw finalError != null ? finalError : new WebSocketClosedException(1000, "closed");
            if (attempt > 0 || connections.get() > 0) pause(attempt);
            if (finished) throw finalError != null ? finalError : new WebSocketClosedException(1000, "closed");
            try {
                WebSocket ws = client.connect(uri.get());
                connections.incrementAndGet();
                try {
                    onOpen.accept(ws);
                } catch (WebSocketException e) { // it broke at once: try again
                    ws.abort();
                    LOG.log(System.Logger.Level.DEBUG, "connection lost while running onOpen", e);
                    continue;
                }
                if (finished) ws.close(); // closed meanwhile
                return ws;
            } catch (WebSocketHandshakeException e) {
                if (e.status() >= 400 && e.status() < 500) { // refused: asking again will not help
                    finalError = e;
                    finished = true;
                    throw e;
                }
                LOG.log(System.Logger.Level.DEBUG, "reconnection attempt failed: " + e.getMessage());
            } catch (WebSocketException e) {
                LOG.log(System.Logger.Level.DEBUG, "reconnection attempt failed: " + e.getMessage());
            }
        }
    }

    /** Full jitter: a random pause up to {@code min(maxDelay, initialDelay × 2^attempt)}. */
    private void pause(int attempt) {
        long cap = initialDelay.toNanos() << Math.min(attempt, 30);
        if (cap <= 0 || cap > maxDelay.toNanos()) cap = maxDelay.toNanos();
        long nanos = ThreadLocalRandom.current().nextLong(cap + 1);
        lock.lock();
        try {
            long left = nanos;
            while (left > 0 && !finished) left = changed.awaitNanos(left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WebSocketException("interrupted while waiting to reconnect", e);
        } finally {
            lock.unlock();
        }
    }

    /** Decides what a closed connection means: reconnect (true) or finished (false). */
    private boolean lost(WebSocket ws) {
        if (finished) return false;
        if (reconnectIf.test(ws.closeCode().orElse(1006))) return true;
        lock.lock();
        try {
            finished = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return false;
    }

    // ---- receiving ----

    @Override
    public Optional<Message> receive() {
        while (true) {
            WebSocket ws;
            try {
                ws = connection(Long.MAX_VALUE);
            } catch (WebSocketClosedException e) {
                return Optional.empty();
            }
            Optional<Message> m;
            try {
                m = ws.receive();
            } catch (WebSocketClosedException e) {
                m = Optional.empty();
            }
            if (m.isPresent()) return m;
            if (!lost(ws)) return Optional.empty();
        }
    }

    @Override
    public Optional<Message> receive(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            WebSocket ws;
            try {
                ws = connection(Math.max(1, deadline - System.nanoTime()));
            } catch (WebSocketClosedException e) {
                return Optional.empty();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new WebSocketTimeoutException("no message within " + timeout);
            Optional<Message> m;
            try {
                m = ws.receive(Duration.ofNanos(left));
            } catch (WebSocketClosedException e) {
                m = Optional.empty();
            }
            if (m.isPresent()) return m;
            if (!lost(ws)) return Optional.empty();
        }
    }

    @Override
    public Optional<Message> read() {
        WebSocket ws = peek();
        return ws == null ? Optional.empty() : ws.read();
    }

    @Override
    public boolean hasMessages() {
        WebSocket ws = peek();
        return ws != null && ws.hasMessages();
    }

    @Override
    public int countMessages() {
        WebSocket ws = peek();
        return ws == null ? 0 : ws.countMessages();
    }

    /** The current connection's stream (a stream does not continue across a reconnection). */
    @Override
    public Optional<MessageStream> receiveStream() {
        while (true) {
            WebSocket ws;
            try {
                ws = connection(Long.MAX_VALUE);
            } catch (WebSocketClosedException e) {
                return Optional.empty();
            }
            Optional<MessageStream> s = ws.receiveStream();
            if (s.isPresent()) return s;
            if (!lost(ws)) return Optional.empty();
        }
    }

    @Override
    public Iterator<Message> iterator() {
        return new Iterator<>() {
            private Message next;

            @Override
            public boolean hasNext() {
                if (next == null) next = receive().orElse(null);
                return next != null;
            }

            @Override
            public Message next() {
                if (!hasNext()) throw new NoSuchElementException();
                Message m = next;
                next = null;
                return m;
            }
        };
    }

    // ---- sending ----

    @Override
    public void send(String text) { send(Message.text(text)); }

    @Override
    public void send(byte[] data) { send(Message.binary(data)); }

    @Override
    public void send(byte[] data, int offset, int length) { send(Message.binary(java.util.Arrays.copyOfRange(data, offset, offset + length))); }

    @Override
    public void send(Message message) {
        long deadline = System.nanoTime() + sendTimeout.toNanos();
        while (true) {
            WebSocket ws = connection(Math.max(1, deadline - System.nanoTime()));
            try {
                ws.send(message);
                return;
            } catch (WebSocketClosedException e) { // broke before it was written: on the next connection
                if (finished) throw e;
                if (System.nanoTime() > deadline) throw new WebSocketTimeoutException("not sent within " + sendTimeout);
            }
        }
    }

    @Override
    public OutputStream sendStream(boolean text) { return connection(sendTimeout.toNanos()).sendStream(text); }

    @Override
    public Duration ping() { return connection(sendTimeout.toNanos()).ping(); }

    @Override
    public void pong(byte[] payload) { connection(sendTimeout.toNanos()).pong(payload); }

    // ---- closing ----

    @Override
    public void close() { close(1000, ""); }

    /** Closes the current connection with a closing handshake and stops reconnecting. */
    @Override
    public void close(int code, String reason) {
        WebSocket ws = finish();
        if (ws != null) ws.close(code, reason);
    }

    @Override
    public void abort() {
        WebSocket ws = finish();
        if (ws != null) ws.abort();
    }

    private WebSocket finish() {
        lock.lock();
        try {
            finished = true;
            changed.signalAll();
            return current;
        } finally {
            lock.unlock();
        }
    }

    // ---- about the current connection ----

    private WebSocket peek() {
        lock.lock();
        try {
            return current;
        } finally {
            lock.unlock();
        }
    }

    /** OPEN while connected or reconnecting; CLOSED once finished. */
    @Override
    public State state() {
        WebSocket ws = peek();
        if (finished) return ws == null ? State.CLOSED : ws.state();
        return State.OPEN;
    }

    /** True once finished: closed by {@link #close}, or ended for good. */
    @Override
    public boolean isClosed() {
        WebSocket ws = peek();
        return finished && (ws == null || ws.isClosed());
    }

    @Override
    public OptionalInt closeCode() {
        WebSocket ws = peek();
        return finished && ws != null ? ws.closeCode() : OptionalInt.empty();
    }

    @Override
    public String closeReason() {
        WebSocket ws = peek();
        return finished && ws != null ? ws.closeReason() : "";
    }

    @Override
    public Optional<String> subprotocol() {
        WebSocket ws = peek();
        return ws == null ? Optional.empty() : ws.subprotocol();
    }

    @Override
    public String extensions() {
        WebSocket ws = peek();
        return ws == null ? "" : ws.extensions();
    }

    /** The current connection's id (it changes at each reconnection). */
    @Override
    public String id() {
        WebSocket ws = peek();
        return ws == null ? "reconnecting" : ws.id();
    }

    @Override
    public SocketAddress remoteAddress() {
        WebSocket ws = peek();
        return ws == null ? null : ws.remoteAddress();
    }

    /** This object's attributes: they stay across reconnections. */
    @Override
    public Map<String, Object> attributes() { return attributes; }

    /** How a {@link ReconnectingWebSocket} connects; {@link #connect()} opens the first connection. */
    public static final class Builder {
        private final Supplier<URI> uri;
        private WebSocketClient client = WebSocketClient.builder().build();
        private Consumer<WebSocket> onOpen = ws -> { };
        private IntPredicate reconnectIf = code -> !FINAL_CODES.contains(code);
        private Duration initialDelay = Duration.ofMillis(100);
        private Duration maxDelay = Duration.ofSeconds(10);
        private Duration sendTimeout = Duration.ofSeconds(30);

        private Builder(Supplier<URI> uri) { this.uri = uri; }

        /** The client that opens each connection (headers, subprotocols, timeouts, TLS). */
        public Builder client(WebSocketClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /** Runs on every new connection before it is used: send what resumes the session here. */
        public Builder onOpen(Consumer<WebSocket> onOpen) {
            this.onOpen = Objects.requireNonNull(onOpen, "onOpen");
            return this;
        }

        /** Which close codes from the server are worth reconnecting after (1006: the connection was lost). */
        public Builder reconnectIf(IntPredicate closeCodes) {
            this.reconnectIf = Objects.requireNonNull(closeCodes, "closeCodes");
            return this;
        }

        /** The backoff: pauses start below {@code initial} and double up to {@code max} (defaults 100 ms, 10 s). */
        public Builder backoff(Duration initial, Duration max) {
            if (initial.toNanos() <= 0 || max.compareTo(initial) < 0) throw new IllegalArgumentException("need 0 < initial <= max");
            this.initialDelay = initial;
            this.maxDelay = max;
            return this;
        }

        /** How long a send waits for a connection (default 30 s), then throws {@link WebSocketTimeoutException}. */
        public Builder sendTimeout(Duration timeout) {
            if (timeout.toNanos() <= 0) throw new IllegalArgumentException("sendTimeout must be positive");
            this.sendTimeout = timeout;
            return this;
        }

        /**
         * Opens the first connection now (without retrying: a server that is not there is an
         * error the caller should see) and returns the reconnecting WebSocket.
         *
         * @throws WebSocketException if the first connection fails
         */
        public ReconnectingWebSocket connect() {
            var r = new ReconnectingWebSocket(this);
            WebSocket ws = client.connect(uri.get());
            r.connections.incrementAndGet();
            onOpen.accept(ws);
            r.current = ws;
            return r;
        }
    }
}
