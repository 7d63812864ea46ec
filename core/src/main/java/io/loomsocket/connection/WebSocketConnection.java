package io.loomsocket.connection;

import io.loomsocket.Message;
import io.loomsocket.WebSocketListener;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.engine.CloseCode;
import io.loomsocket.engine.DeflateConfig;
import io.loomsocket.engine.DeflateParams;
import io.loomsocket.engine.EngineConfig;
import io.loomsocket.engine.Event;
import io.loomsocket.engine.MaskSource;
import io.loomsocket.engine.PerMessageDeflate;
import io.loomsocket.engine.Role;
import io.loomsocket.engine.WebSocketProtocol;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The blocking {@link WebSocket}: a driver that feeds the transport's bytes to the engine's
 * {@link WebSocketProtocol} and writes the protocol's bytes out. The protocol owns the RFC 6455
 * rules (the closing handshake and its codes, failing the connection, the automatic pong, nothing
 * after close); this class and its parts own the I/O policy: who reads and when, the bounded
 * queue, write coalescing, backpressure both ways, and the clocks (close, write and keepalive
 * timeouts).
 *
 * <h2>Parts</h2>
 * <ul>
 *   <li>{@link ReceivePath}: the application's receives and who reads the transport meanwhile
 *       (the receiver's own thread, or the background {@link Reader}, or {@link ReadWatch}
 *       noticing that nobody does), over the bounded {@link InboundQueue}.</li>
 *   <li>{@link SendPath}: the application's sends, pings and pongs, and who flushes them;
 *       {@link Outbound} owns the write buffer and the transport's output.</li>
 *   <li>{@link ClosingHandshake}: close, failing the connection, the close timers, and the end
 *       of the transport (RFC 6455 §7).</li>
 *   <li>{@link Keepalive}: pings an idle connection and drops a dead peer.</li>
 * </ul>
 * This class builds them, wires their callbacks ({@link Reader.Events}, {@link Outbound.Events},
 * {@link Keepalive.Target}) and answers the queries.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>The <b>reader</b> feeds transport bytes to the protocol, writes the pong a ping calls for
 *       at once (before buffered data), notices the peer's close and puts messages into the
 *       bounded queue. It runs on the application's own thread while that thread waits in
 *       {@code receive()}, and on a background virtual thread while the application is away
 *       (see {@link ReceivePath}); when the queue is full it stops reading (backpressure).</li>
 *   <li>The <b>application</b>: receives from the queue (one thread at a time) and sends, closes
 *       and queries from any thread.</li>
 *   <li>The two threads of the connection's {@link ConnectionRuntime}: the timer (keepalive,
 *       close timeout, write timeout, {@link ReadWatch}) and the {@link Flusher} (deferred
 *       flushes). No platform thread per connection.</li>
 * </ul>
 *
 * <h2>Locks</h2>
 * <table>
 *   <caption>the locks of one connection, in the order they are taken</caption>
 *   <tr><th>lock</th><th>guards</th><th>held across I/O or a wait?</th></tr>
 *   <tr><td>{@link Outbound#messageLock()}</td><td>one data message at a time (a
 *       {@code sendStream} until it is closed)</td><td>yes</td></tr>
 *   <tr><td>{@link Outbound#writeLock}</td><td>the write buffer and the transport's output; the
 *       deflate state's release</td><td>yes (a blocking write)</td></tr>
 *   <tr><td>{@link #lock}</td><td>the protocol object, {@link ClosingHandshake}'s bookkeeping,
 *       the {@link PingTracker}'s pings in flight, the {@link Keepalive}'s next timer task, the
 *       lazy attribute map</td><td>never</td></tr>
 *   <tr><td>the {@link InboundQueue}'s own lock</td><td>its items, its conditions and the read
 *       ownership; taken alone, never with the others</td><td>waits on its conditions</td></tr>
 *   <tr><td>an {@link IncomingStream}'s own lock (while a message is streamed in)</td><td>its
 *       chunks and conditions; taken alone</td><td>waits on its conditions</td></tr>
 * </table>
 * The reader takes {@link #lock} to feed the protocol and never waits for the write lock: a pong
 * or close echo it queued is written by whoever holds the write lock before that holder's own
 * data (see {@link Outbound}).
 *
 * <p>Misuse gets a clear exception: sending while this thread holds an open
 * {@link #sendStream(boolean)}, invalid close codes, control payloads over 125 bytes.
 */
public final class WebSocketConnection implements WebSocket {
    private static final System.Logger LOG = System.getLogger(WebSocketConnection.class.getName());
    private static final AtomicLong IDS = new AtomicLong();

    private final Transport transport;
    private final Role role;
    private final String subprotocol;
    private final String extensions;
    private final WebSocketConfig config;
    private final InboundQueue queue;
    private final Reader reader;
    private final Outbound out;
    private final PingTracker pings;
    private final Keepalive keepalive;
    private final ClosingHandshake closing;
    private final ReceivePath receiving;
    private final SendPath sending;
    private final long id = IDS.incrementAndGet();
    /** The config's listener, or null: one field read per event when there is none. */
    private final WebSocketListener listener;

    /**
     * Guards {@link #protocol}, {@link ClosingHandshake}'s fields, the {@link PingTracker} and the
     * {@link Keepalive}'s timer task; never held across I/O or a wait (the table above).
     */
    private final ReentrantLock lock = new ReentrantLock();
    private final WebSocketProtocol protocol;

    private volatile Map<String, Object> attributes;
    /** System.nanoTime() of the peer's last frame other than a pong: it is alive (see {@link Keepalive}). */
    private volatile long lastActivityNanos = System.nanoTime();

    private WebSocketConnection(Transport transport, byte[] leftover, Role role, String subprotocol,
                                DeflateParams deflateParams, WebSocketConfig config, MaskSource masks,
                                ConnectionRuntime runtime) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.role = Objects.requireNonNull(role, "role");
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(runtime, "runtime");
        this.listener = config.listener();
        this.subprotocol = subprotocol == null || subprotocol.isEmpty() ? null : subprotocol;
        Derived settings = derived(config);
        PerMessageDeflate deflate = deflateParams == null ? null : PerMessageDeflate.of(role, deflateParams, settings.deflate());
        this.extensions = deflateParams == null ? "" : deflateParams.toHeaderValue();
        this.queue = new InboundQueue(config.maxQueue(), config.maxQueueBytes());
        this.protocol = new WebSocketProtocol(role, settings.engine(), deflate,
                role == Role.CLIENT ? (masks == null ? MaskSource.secureRandom() : masks) : null);
        Callbacks callbacks = new Callbacks();
        this.reader = new Reader(transport, queue, leftover == null ? new byte[0] : leftover,
                config.readBufferSize(), callbacks);
        this.out = new Outbound(transport, protocol, lock, config.writeBufferSize(), config.writeTimeout().toNanos(),
                callbacks, runtime);
        this.pings = new PingTracker(lock);
        this.keepalive = new Keepalive(callbacks, config.pingInterval(), runtime.timers, lock);
        this.closing = new ClosingHandshake(this, lock, protocol, transport, queue, reader, out, keepalive, pings,
                deflate, listener, runtime.timers, config.closeTimeout().toNanos());
        this.receiving = new ReceivePath(this, queue, reader, out, closing, runtime.readWatch, config);
        this.sending = new SendPath(this, out, queue, receiving, closing, pings, config);
    }

    /**
     * Turns a transport whose HTTP upgrade is complete (the 101 response written and flushed, or
     * read by a client) into an open WebSocket, on the {@linkplain ConnectionRuntime#shared()
     * shared runtime}. Its reading starts with the first receive, or within a {@link ReadWatch}
     * tick if nobody receives.
     *
     * @param transport     the connected byte stream (e.g. {@link Transport#of(java.net.Socket)})
     * @param leftover      bytes already read past the HTTP head: the first WebSocket bytes (may be empty)
     * @param role          {@link Role#SERVER} or {@link Role#CLIENT} (decides masking)
     * @param subprotocol   the negotiated subprotocol, or null
     * @param deflateParams the negotiated permessage-deflate parameters, or null when none
     * @param config        limits and timers
     */
    public static WebSocketConnection open(Transport transport, byte[] leftover, Role role, String subprotocol,
                                           DeflateParams deflateParams, WebSocketConfig config) {
        return open(transport, leftover, role, subprotocol, deflateParams, config, ConnectionRuntime.shared());
    }

    /**
     * As {@link #open(Transport, byte[], Role, String, DeflateParams, WebSocketConfig)}, on
     * {@code runtime}'s threads (a server's own, closed when it stops).
     */
    public static WebSocketConnection open(Transport transport, byte[] leftover, Role role, String subprotocol,
                                           DeflateParams deflateParams, WebSocketConfig config, ConnectionRuntime runtime) {
        return open(transport, leftover, role, subprotocol, deflateParams, config, null, runtime);
    }

    /** As {@link #open(Transport, byte[], Role, String, DeflateParams, WebSocketConfig)}, with a mask source (tests). */
    public static WebSocketConnection open(Transport transport, byte[] leftover, Role role, String subprotocol,
                                           DeflateParams deflateParams, WebSocketConfig config, MaskSource masks) {
        return open(transport, leftover, role, subprotocol, deflateParams, config, masks, ConnectionRuntime.shared());
    }

    private static WebSocketConnection open(Transport transport, byte[] leftover, Role role, String subprotocol,
                                            DeflateParams deflateParams, WebSocketConfig config, MaskSource masks,
                                            ConnectionRuntime runtime) {
        WebSocketConnection c = new WebSocketConnection(transport, leftover, role, subprotocol, deflateParams, config,
                masks, runtime);
        if (c.listener != null) c.listener.opened(c);
        c.receiving.watchReading(); // read by the first receive(), else by a background reader
        c.keepalive.start();
        return c;
    }

    /** The engine settings matching {@code config}: limits and permessage-deflate (for handshakes too). */
    public static EngineConfig engineConfig(WebSocketConfig config) {
        return derived(config).engine();
    }

    /** The permessage-deflate settings matching {@code config}. */
    public static DeflateConfig deflateConfig(WebSocketConfig config) {
        return derived(config).deflate();
    }

    /** The engine's settings made from one {@link WebSocketConfig} (immutable, like it). */
    private record Derived(WebSocketConfig config, EngineConfig engine, DeflateConfig deflate) {}

    /**
     * The settings made from the config asked about last: a server or client opens every
     * connection with one config, so they are made once rather than at each handshake and open.
     */
    private static volatile Derived derived;

    private static Derived derived(WebSocketConfig config) {
        Derived d = derived;
        if (d != null && d.config() == config) return d;
        DeflateConfig deflate = DeflateConfig.DEFAULT.withEnabled(config.compression())
                .withThreshold(config.compressionThreshold())
                .withContextTakeover(config.compressionContextTakeover())
                .withCompressionLevel(config.compressionLevel())
                .withPeerContextTakeover(config.compressionClientContextTakeover())
                .withWindowBits(config.compressionWindowBits())
                .withPeerWindowBits(config.compressionPeerWindowBits());
        // a compressed frame may be a little longer than the data it carries (deflate stores
        // incompressible data with 5 bytes per block; 1/64 + 1 KiB is ample): allow that overhead
        // so an incompressible message of maxFrameSize bytes still fits. The inflated size stays
        // bound by maxMessageSize, so memory stays bounded.
        long frame = config.maxFrameSize();
        if (config.compression()) frame = Math.min(Integer.MAX_VALUE, frame + frame / 64 + 1024);
        EngineConfig engine = EngineConfig.defaults()
                .withMaxFrameSize((int) frame)
                .withMaxMessageSize(config.maxMessageSize())
                .withMaxFragments(config.maxFragmentsPerMessage())
                .withDeflate(deflate);
        d = new Derived(config, engine, deflate);
        derived = d;
        return d;
    }

    // ================================================================= receiving (ReceivePath)

    @Override public Optional<Message> receive() { return receiving.receive(); }

    @Override public Optional<Message> receive(Duration timeout) { return receiving.receive(timeout); }

    @Override public Optional<Message> read() { return receiving.read(); }

    @Override public boolean hasMessages() { return countMessages() > 0; }

    @Override public int countMessages() { return receiving.countMessages(); }

    @Override public Optional<MessageStream> receiveStream() { return receiving.receiveStream(); }

    @Override public Iterator<Message> iterator() { return new MessageIterator(this); }

    // ================================================================= sending (SendPath)

    @Override
    public void send(String text) {
        Objects.requireNonNull(text, "text");
        sending.sendData(Outbound.Kind.TEXT, text, null, 0, 0);
    }

    @Override
    public void send(byte[] data) {
        send(data, 0, data.length);
    }

    @Override
    public void send(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        sending.sendData(Outbound.Kind.BINARY, null, data, offset, length);
    }

    @Override
    public void send(Message message) {
        switch (message) {
            case Message.Text t -> send(t.text());
            case Message.Binary b -> send(b.data());
        }
    }

    @Override public OutputStream sendStream(boolean text) { return sending.sendStream(text); }

    @Override public Duration ping() { return sending.ping(); }

    @Override public void pong(byte[] payload) { sending.pong(payload); }

    // ================================================================= closing (ClosingHandshake)

    @Override public void close() { close(CloseCode.NORMAL, ""); }

    @Override public void close(int code, String reason) { closing.close(code, reason); }

    @Override public void abort() { closing.terminate(CloseCode.ABNORMAL, "aborted"); }

    // ================================================================= wiring

    /**
     * The connection as its parts call it: what the reader reports (each event was produced by
     * the protocol under {@link #lock}), what the write side reports, and what the keepalive asks.
     * One object for the three: it is kept for the connection's whole life.
     */
    private final class Callbacks implements Reader.Events, Outbound.Events, Keepalive.Target {
        @Override public Event parse(java.nio.ByteBuffer bytes, boolean streaming) {
            lock.lock();
            try {
                protocol.setStreaming(streaming);
                return protocol.receiveData(bytes);
            } finally {
                lock.unlock();
            }
        }

        @Override public void onPeerActivity() { lastActivityNanos = System.nanoTime(); }

        @Override public void onPing() { out.writePending(); }

        @Override public void onPong(byte[] payload) { pings.onPong(payload); }

        @Override public void onClose() { closing.onCloseFrame(); }

        @Override public void onFailure(Event.Failure f) { closing.onPeerFailure(f); }

        @Override public void onStream(IncomingStream s) { receiving.onStream(s); }

        @Override public void onEnd(IOException error) {
            if (error != null && closing.state() != State.CLOSED) {
                LOG.log(System.Logger.Level.DEBUG, "{0}: read failed: {1}", id(), error.toString());
            }
            lock.lock();
            try {
                protocol.receiveEof();
            } finally {
                lock.unlock();
            }
            closing.terminate(-1, "");
        }

        @Override public void onStopped() { closing.releaseResources(); }

        @Override public void onCrash(RuntimeException e) {
            System.getLogger(Reader.class.getName()).log(System.Logger.Level.ERROR, id() + ": reader failed", e);
            closing.failConnection(CloseCode.INTERNAL_ERROR, "internal error");
        }

        @Override public void watchReading() { receiving.watchReading(); }

        @Override public boolean isOpen() { return closing.state() == State.OPEN; }

        @Override public Duration ping() { return sending.ping(); }

        @Override public long lastActivityNanos() { return lastActivityNanos; }

        /**
         * {@code available()} of a socket's stream asks the kernel (FIONREAD) without waiting for
         * the reader; over TLS it sees only decrypted bytes, so there it may say 0 and the queue decides.
         */
        @Override public boolean readerBehind() {
            try {
                if (transport.input().available() > 0) return true;
            } catch (IOException | RuntimeException e) {
                return false; // closed: the ping's failure path handles it
            }
            return queue.producerBlocked();
        }

        @Override public long pongsAnswered() { return pings.answered(); }

        @Override public void timedOut() { closing.keepaliveTimedOut(); }

        @Override public String id() { return WebSocketConnection.this.id(); }

        @Override public void onWriteFailed(IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "{0}: write failed: {1}", id(), e.toString());
            closing.terminate(-1, "");
        }

        @Override public void onWriteTimeout() {
            closing.terminateLater(CloseCode.POLICY_VIOLATION, "write timeout: the peer did not read for " + config.writeTimeout());
        }

        @Override public void onCloseWritten() { closing.onCloseWritten(); }

        @Override public RuntimeException closedException() { return closing.closedException(); }
    }

    // ================================================================= queries

    @Override public State state() { return closing.state(); }

    @Override public boolean isClosed() { return closing.state() == State.CLOSED; }

    @Override public OptionalInt closeCode() { return closing.closeCode(); }

    @Override public String closeReason() { return closing.closeReason(); }

    @Override public Optional<String> subprotocol() { return Optional.ofNullable(subprotocol); }

    @Override public String extensions() { return extensions; }

    @Override public String id() { return "ws-" + Long.toHexString(id); }

    @Override public SocketAddress remoteAddress() { return transport.remoteAddress(); }

    @Override
    public Map<String, Object> attributes() {
        Map<String, Object> a = attributes;
        if (a == null) {
            lock.lock();
            try {
                a = attributes;
                if (a == null) attributes = a = new ConcurrentHashMap<>(4);
            } finally {
                lock.unlock();
            }
        }
        return a;
    }

    /** The role this end plays. */
    public Role role() { return role; }

    // ---- for the parts and tests ----

    ReceivePath receiving() { return receiving; }

    InboundQueue queue() { return queue; }

    Reader reader() { return reader; }

    @Override
    public String toString() {
        return "WebSocketConnection[" + id() + " " + role + " " + closing.state() + "]";
    }
}
