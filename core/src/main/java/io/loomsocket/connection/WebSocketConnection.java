package io.loomsocket.connection;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.WebSocketException;
import io.loomsocket.WebSocketTimeoutException;
import io.loomsocket.engine.CloseCode;
import io.loomsocket.engine.DeflateConfig;
import io.loomsocket.engine.DeflateParams;
import io.loomsocket.engine.EngineConfig;
import io.loomsocket.engine.MaskSource;
import io.loomsocket.engine.MessageEncoder;
import io.loomsocket.engine.PerMessageDeflate;
import io.loomsocket.engine.Role;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The blocking {@link WebSocket} over a {@link Transport} and the engine.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>The <b>reader</b> ({@link Reader}) feeds transport bytes to the engine's
 *       {@link io.loomsocket.engine.MessageAssembler}, answers pings at once (pongs go before
 *       buffered data), notices the peer's close and puts messages into the bounded queue. It
 *       runs on the application's own thread while that thread waits in {@code receive()}, so an
 *       idle connection parks one virtual thread and a request-reply loop has no thread hand-off.
 *       While the application is away (computing, sending, in a timed receive, a stream, or
 *       never receiving), a background virtual thread reads instead, started on demand or by
 *       {@link ReadWatch} within one or two ticks (20–40 ms); when the queue is
 *       full it stops reading (backpressure).</li>
 *   <li>The <b>application</b>: receives from the queue (one thread at a time is intended) and
 *       sends from any thread (see {@link Outbound} for locking and write coalescing).</li>
 *   <li>Two JVM-wide platform threads: {@link SharedTimers} (keepalive, close timeout, write
 *       timeout, {@link ReadWatch}) and {@link Flusher} (deferred flushes). No per-connection platform thread.</li>
 * </ul>
 *
 * <h2>State machine (RFC 6455 §7)</h2>
 * <pre>
 *   OPEN --we write close--------> CLOSING_SENT     --peer's close arrives--+
 *   OPEN --peer's close arrives--> CLOSING_RECEIVED --we echo close---------+--> both sent: TCP close --> CLOSED
 *   any  --abort / I/O error / timeout------------------------------------------------------------> CLOSED
 * </pre>
 * After both close frames, a server closes the TCP connection at once and a client waits up to
 * the close timeout for the server to do it (RFC 6455 §7.1.1). Nothing is sent after our close
 * frame. Messages queued before the peer's close stay readable after CLOSED.
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
    private final PerMessageDeflate deflate;
    private final InboundQueue queue;
    private final Reader reader;
    private final Outbound out;
    private final PingTracker pings = new PingTracker();
    private final Keepalive keepalive = new Keepalive(this);
    private final long id = IDS.incrementAndGet();

    private final ReentrantLock stateLock = new ReentrantLock();
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    private volatile State state = State.OPEN;
    // guarded by stateLock
    private boolean closeReceived;
    private boolean closeSent;
    private boolean closeStarted;
    private int closeCode = -1;
    private String closeReason = "";
    private ScheduledFuture<?> closeTimer;

    private volatile Map<String, Object> attributes;
    private volatile IncomingStream currentStream;
    /** The thread that last received (the view's): its sends may be coalesced with the next ones. */
    private volatile Thread receiver;
    /** System.nanoTime() of the peer's last frame other than a pong: it is alive (see {@link Keepalive}). */
    private volatile long lastActivityNanos = System.nanoTime();

    private WebSocketConnection(Transport transport, byte[] leftover, Role role, String subprotocol,
                                DeflateParams deflateParams, WebSocketConfig config, MaskSource masks) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.role = Objects.requireNonNull(role, "role");
        this.config = Objects.requireNonNull(config, "config");
        this.subprotocol = subprotocol == null || subprotocol.isEmpty() ? null : subprotocol;
        this.deflate = deflateParams == null ? null : PerMessageDeflate.of(role, deflateParams, deflateConfig(config));
        this.extensions = deflateParams == null ? "" : deflateParams.toHeaderValue();
        this.queue = new InboundQueue(config.maxQueue());
        this.reader = new Reader(this, leftover == null ? new byte[0] : leftover, engineConfig(config), deflate);
        MessageEncoder encoder = new MessageEncoder(role, deflate,
                role == Role.CLIENT ? (masks == null ? MaskSource.secureRandom() : masks) : null);
        this.out = new Outbound(transport, encoder, config.writeBufferSize(), config.writeTimeout().toNanos(),
                new OutboundEvents());
    }

    /**
     * Turns a transport whose HTTP upgrade is complete (the 101 response written and flushed, or
     * read by a client) into an open WebSocket. Its reading starts with the first receive, or
     * within a {@link ReadWatch} tick if nobody receives.
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
        return open(transport, leftover, role, subprotocol, deflateParams, config, null);
    }

    /** As {@link #open(Transport, byte[], Role, String, DeflateParams, WebSocketConfig)}, with a mask source (tests). */
    public static WebSocketConnection open(Transport transport, byte[] leftover, Role role, String subprotocol,
                                           DeflateParams deflateParams, WebSocketConfig config, MaskSource masks) {
        WebSocketConnection c = new WebSocketConnection(transport, leftover, role, subprotocol, deflateParams, config, masks);
        c.watchReading(); // read by the first receive(), else by a background reader
        c.keepalive.start();
        return c;
    }

    /** The engine settings matching {@code config}: limits and permessage-deflate (for handshakes too). */
    public static EngineConfig engineConfig(WebSocketConfig config) {
        // a compressed frame may be a little longer than the data it carries (deflate stores
        // incompressible data with 5 bytes per block; 1/64 + 1 KiB is ample): allow that overhead
        // so an incompressible message of maxFrameSize bytes still fits. The inflated size stays
        // bound by maxMessageSize, so memory stays bounded.
        long frame = config.maxFrameSize();
        if (config.compression()) frame = Math.min(Integer.MAX_VALUE, frame + frame / 64 + 1024);
        return EngineConfig.defaults()
                .withMaxFrameSize((int) frame)
                .withMaxMessageSize(config.maxMessageSize())
                .withDeflate(deflateConfig(config));
    }

    /** The permessage-deflate settings matching {@code config}. */
    public static DeflateConfig deflateConfig(WebSocketConfig config) {
        return DeflateConfig.DEFAULT.withEnabled(config.compression())
                .withThreshold(config.compressionThreshold())
                .withContextTakeover(config.compressionContextTakeover())
                .withCompressionLevel(config.compressionLevel())
                .withPeerContextTakeover(config.compressionClientContextTakeover())
                .withWindowBits(config.compressionWindowBits())
                .withPeerWindowBits(config.compressionPeerWindowBits());
    }

    // ================================================================= receiving

    @Override
    public Optional<Message> receive() {
        return toMessage(next(-1, false));
    }

    @Override
    public Optional<Message> receive(Duration timeout) {
        long nanos = Math.max(0, timeout.toNanos());
        Object item = next(nanos, false);
        if (item == null) {
            throw new WebSocketTimeoutException("no message within " + timeout);
        }
        return toMessage(item);
    }

    @Override
    public Optional<Message> read() {
        receiver = Thread.currentThread();
        ensureReading();
        Object item = queue.poll();
        return item == null ? Optional.empty() : toMessage(item);
    }

    @Override
    public boolean hasMessages() {
        return countMessages() > 0;
    }

    @Override
    public int countMessages() {
        ensureReading();
        return queue.size();
    }

    @Override
    public Optional<MessageStream> receiveStream() {
        Object item = next(-1, true);
        if (item == InboundQueue.END) return Optional.empty();
        if (item instanceof IncomingStream s) return Optional.of(s);
        Message m = (Message) item;
        return Optional.of(IncomingStream.ofComplete(m.isText(), m.bytes()));
    }

    /**
     * Takes the next queue item; flushes our buffered frames first if we are about to block. An
     * untimed whole-message receive reads the transport on this thread when nobody else does
     * (see {@link Reader}); any other wait makes sure the background reader runs.
     */
    private Object next(long nanos, boolean wantStream) {
        receiver = Thread.currentThread();
        Object item = queue.poll();
        if (item != null) {
            out.flushIfStale();
            return item;
        }
        out.flushIfIdle();
        boolean mayReadHere = nanos < 0 && !wantStream;
        long deadline = nanos < 0 ? 0 : System.nanoTime() + nanos;
        try {
            while (true) {
                if (Thread.interrupted()) throw new InterruptedException();
                long left = nanos < 0 ? -1 : Math.max(0, deadline - System.nanoTime());
                item = queue.takeOrRead(left, wantStream, mayReadHere);
                if (item == InboundQueue.START_READER) {
                    startBackgroundReader();
                } else if (item == InboundQueue.READ_HERE) {
                    try {
                        reader.readOnce(false);
                    } finally {
                        if (queue.readDone()) ReadWatch.add(this);
                    }
                } else {
                    return item;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WebSocketException("interrupted while waiting for a message", e);
        }
    }

    /** Nobody reads now: hands the connection to {@link ReadWatch} unless it holds it already. */
    void watchReading() {
        if (queue.watch()) ReadWatch.add(this);
    }

    /** Starts the background reader if nobody reads (for waits that cannot read themselves). */
    private void ensureReading() {
        if (queue.claimBackground()) startBackgroundReader();
    }

    /** Starts the background reader thread; the caller claimed the reader for it. */
    void startBackgroundReader() {
        Thread.ofVirtual().name("loomsocket-reader-" + id()).start(reader::runInBackground);
    }

    private Optional<Message> toMessage(Object item) {
        if (item == InboundQueue.END) return Optional.empty();
        if (item instanceof Message m) return Optional.of(m);
        // a message that was meant for receiveStream() but is received whole: bounded by maxMessageSize
        try {
            Message m = ((IncomingStream) item).readWhole(config.maxMessageSize());
            if (m != null) return Optional.of(m);
        } catch (IOException e) {
            return Optional.empty(); // the connection closed in the middle of it
        }
        close(CloseCode.MESSAGE_TOO_BIG, "message too big");
        throw new WebSocketException("message over maxMessageSize (" + config.maxMessageSize()
                + " bytes); use receiveStream() for it");
    }

    @Override
    public Iterator<Message> iterator() {
        return new MessageIterator(this);
    }

    // ================================================================= sending

    @Override
    public void send(String text) {
        Objects.requireNonNull(text, "text");
        sendData(Outbound.Kind.TEXT, text, null, 0, 0);
    }

    @Override
    public void send(byte[] data) {
        send(data, 0, data.length);
    }

    @Override
    public void send(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        sendData(Outbound.Kind.BINARY, null, data, offset, length);
    }

    @Override
    public void send(Message message) {
        switch (message) {
            case Message.Text t -> send(t.text());
            case Message.Binary b -> send(b.data());
        }
    }

    private void sendData(Outbound.Kind kind, String text, byte[] b, int off, int len) {
        checkNoOpenStream();
        out.messageLock.lock();
        try {
            // the thread that receives has more received messages to handle: it will be back at once
            // (a send from any other thread cannot know what its thread does next: flush now).
            // If that thread also reads the socket itself, it flushes on its next receive.
            Outbound.FlushBy flushBy = Outbound.FlushBy.NOW;
            if (Thread.currentThread() == receiver && queue.size() > 0) {
                flushBy = queue.receiverReads() ? Outbound.FlushBy.RECEIVER : Outbound.FlushBy.FLUSHER;
            }
            out.data(kind, text, b, off, len, true, flushBy);
            // the watch may have let go meanwhile (its tick flushes only what it saw): hand over
            if (flushBy == Outbound.FlushBy.RECEIVER && !queue.receiverReads()) out.deferFlush();
        } finally {
            out.messageLock.unlock();
        }
    }

    private void checkNoOpenStream() {
        if (out.messageLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("this thread has an open sendStream(); close it before sending another message");
        }
    }

    @Override
    public OutputStream sendStream(boolean text) {
        checkNoOpenStream();
        if (out.isShut()) throw closedException();
        out.messageLock.lock();
        return new OutgoingStream(out, text, config.writeBufferSize());
    }

    @Override
    public Duration ping() {
        PingTracker.Pending p = pings.register();
        ensureReading(); // the pong must be read even if the application does not receive
        try {
            out.ping(p.payload());
        } catch (RuntimeException e) {
            pings.forget(p);
            throw e;
        }
        Duration timeout = config.pingTimeout();
        try {
            return p.rtt().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pings.forget(p);
            throw new WebSocketTimeoutException("no pong within " + timeout);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new WebSocketException("ping failed", e.getCause());
        } catch (InterruptedException e) {
            pings.forget(p);
            Thread.currentThread().interrupt();
            throw new WebSocketException("interrupted while waiting for a pong", e);
        }
    }

    @Override
    public void pong(byte[] payload) {
        if (payload.length > 125) {
            throw new IllegalArgumentException("a pong payload is at most 125 bytes (RFC 6455 §5.5), got " + payload.length);
        }
        out.pongNow(payload);
    }

    // ================================================================= closing

    @Override
    public void close() {
        close(CloseCode.NORMAL, "");
    }

    @Override
    public void close(int code, String reason) {
        MessageEncoder.closePayload(code, reason); // validates code and reason length (RFC 6455 §7.4, §5.5)
        long deadline = System.nanoTime() + config.closeTimeout().toNanos();
        stateLock.lock();
        try {
            if (state == State.CLOSED) return;
            closeStarted = true;
        } finally {
            stateLock.unlock();
        }
        // we will not read on: never let a full queue keep the reader from seeing the peer's close
        queue.discardWhenFull();
        ensureReading();
        IncomingStream s = currentStream;
        if (s != null) s.discardWhenFull();
        try {
            if (!out.closeAndWait(code, reason == null ? "" : reason, config.closeTimeout().toNanos())) {
                if (state != State.CLOSED) {
                    LOG.log(System.Logger.Level.DEBUG, "{0}: could not write the close frame in time; aborting", id());
                }
                terminate(CloseCode.ABNORMAL, "close frame could not be sent");
                return;
            }
            if (!closedLatch.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                terminate(CloseCode.ABNORMAL, "closing handshake timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            terminate(CloseCode.ABNORMAL, "interrupted while closing");
        }
    }

    @Override
    public void abort() {
        terminate(CloseCode.ABNORMAL, "aborted");
    }

    /** The reader received the peer's close frame (RFC 6455 §5.5.1): echo it, then finish. */
    void onCloseFrame(int code, String reason) {
        stateLock.lock();
        try {
            if (state == State.CLOSED) return;
            closeReceived = true;
            if (closeCode < 0) { // unless we failed the connection with a code of our own
                closeCode = code;
                closeReason = reason;
            }
            if (state == State.OPEN) state = State.CLOSING_RECEIVED;
        } finally {
            stateLock.unlock();
        }
        // echo the code (§5.5.1); no code → an empty close frame. Claim the close frame before the
        // queue ends: a view that returns at once must not get its own close(1000) out first.
        out.close(code, "");
        queue.end(); // no data after close (§5.5.1): receivers drain and then see the end
        bothClosedMaybe();
    }

    /** Our close frame is on the wire (called under the write lock). */
    private void onCloseWritten() {
        boolean both;
        stateLock.lock();
        try {
            closeSent = true;
            if (state == State.OPEN) state = State.CLOSING_SENT;
            both = closeReceived;
            if (!both && closeTimer == null && state != State.CLOSED) {
                closeTimer = SharedTimers.schedule(() -> terminateLater(CloseCode.ABNORMAL, "closing handshake timed out"),
                        config.closeTimeout().toNanos());
            }
        } finally {
            stateLock.unlock();
        }
        if (both) bothClosedMaybe();
    }

    /** Both close frames are exchanged: a server closes TCP now, a client gives the server a moment. */
    private void bothClosedMaybe() {
        stateLock.lock();
        try {
            if (!(closeSent && closeReceived) || state == State.CLOSED) return;
            if (role == Role.CLIENT) {
                // RFC 6455 §7.1.1: the server closes first; wait for its FIN (the reader sees EOF)
                if (closeTimer == null) {
                    closeTimer = SharedTimers.schedule(() -> terminateLater(-1, ""), config.closeTimeout().toNanos());
                }
                return;
            }
        } finally {
            stateLock.unlock();
        }
        terminate(-1, "");
    }

    /** A protocol error or limit: send its close code and close the connection (RFC 6455 §7.1.7). */
    void failConnection(int code, String reason) {
        stateLock.lock();
        try {
            if (state == State.CLOSED) return;
            if (closeCode < 0) {
                closeCode = code;
                closeReason = reason;
            }
        } finally {
            stateLock.unlock();
        }
        LOG.log(System.Logger.Level.DEBUG, "{0}: failing the connection: {1} {2}", id(), code, reason);
        // claim the close frame (first one wins) before the queue ends: otherwise the view sees the
        // end, returns, and the server's close(1000) can reach the wire instead of our code
        out.close(code, reason);
        queue.end();
        try {
            out.closeAndWait(code, reason, config.closeTimeout().toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        terminate(code, reason);
    }

    /**
     * Closes the transport and moves to CLOSED. {@code code} is recorded unless a code is known
     * already; -1 means "whatever is known, else 1006". Idempotent, any thread.
     */
    void terminate(int code, String reason) {
        stateLock.lock();
        try {
            if (state == State.CLOSED) return;
            state = State.CLOSED;
            if (closeCode < 0) {
                closeCode = code < 0 ? CloseCode.ABNORMAL : code;
                closeReason = code < 0 ? "" : reason;
            }
            if (closeTimer != null) closeTimer.cancel(false);
        } finally {
            stateLock.unlock();
        }
        keepalive.stop();
        out.stopWatchdog();
        transport.close();
        queue.end();
        IncomingStream s = currentStream;
        if (s != null) s.fail("connection closed before the message ended");
        pings.closeAll(this::closedException);
        closedLatch.countDown();
    }

    /**
     * {@link #terminate} from a timer: on a virtual thread, because closing a TLS socket may block
     * (close_notify) and the shared timer thread must never block.
     */
    private void terminateLater(int code, String reason) {
        if (state == State.CLOSED) return;
        SharedTimers.runVirtual("loomsocket-terminate-" + id, () -> terminate(code, reason));
    }

    /** The reader reached the end of the stream or failed. */
    void onReaderDone(IOException error) {
        if (error != null && state != State.CLOSED) {
            LOG.log(System.Logger.Level.DEBUG, "{0}: read failed: {1}", id(), error.toString());
        }
        terminate(-1, "");
    }

    /** The reader is finishing: release compression state once neither side can use it. */
    void releaseResources() {
        if (deflate == null) return;
        out.writeLock.lock();
        try {
            deflate.close();
        } finally {
            out.writeLock.unlock();
        }
    }

    WebSocketClosedException closedException() {
        stateLock.lock();
        try {
            int code = closeCode < 0 ? CloseCode.ABNORMAL : closeCode;
            return new WebSocketClosedException(code, closeCode < 0 ? "" : closeReason);
        } finally {
            stateLock.unlock();
        }
    }

    private final class OutboundEvents implements Outbound.Events {
        @Override public void onWriteFailed(IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "{0}: write failed: {1}", id(), e.toString());
            terminate(-1, "");
        }

        @Override public void onWriteTimeout() {
            terminateLater(CloseCode.POLICY_VIOLATION, "write timeout: the peer did not read for " + config.writeTimeout());
        }

        @Override public void onCloseWritten() {
            WebSocketConnection.this.onCloseWritten();
        }

        @Override public RuntimeException closedException() {
            return WebSocketConnection.this.closedException();
        }
    }

    // ================================================================= queries

    @Override public State state() { return state; }

    @Override public boolean isClosed() { return state == State.CLOSED; }

    @Override
    public OptionalInt closeCode() {
        stateLock.lock();
        try {
            return closeCode < 0 ? OptionalInt.empty() : OptionalInt.of(closeCode);
        } finally {
            stateLock.unlock();
        }
    }

    @Override
    public String closeReason() {
        stateLock.lock();
        try {
            return closeCode < 0 ? "" : closeReason;
        } finally {
            stateLock.unlock();
        }
    }

    @Override public Optional<String> subprotocol() { return Optional.ofNullable(subprotocol); }

    @Override public String extensions() { return extensions; }

    @Override public String id() { return "ws-" + Long.toHexString(id); }

    @Override public SocketAddress remoteAddress() { return transport.remoteAddress(); }

    @Override
    public Map<String, Object> attributes() {
        Map<String, Object> a = attributes;
        if (a == null) {
            stateLock.lock();
            try {
                a = attributes;
                if (a == null) attributes = a = new ConcurrentHashMap<>(4);
            } finally {
                stateLock.unlock();
            }
        }
        return a;
    }

    /** The role this end plays. */
    public Role role() { return role; }

    // ---- for the reader ----

    InboundQueue queue() { return queue; }

    Transport transport() { return transport; }

    Outbound outbound() { return out; }

    PingTracker pings() { return pings; }

    WebSocketConfig config() { return config; }

    void setCurrentStream(IncomingStream s) { currentStream = s; }

    /**
     * Whoever reads the transport calls this for every frame event other than a pong (pongs are
     * the keepalive's own business: only a matching one answers a ping, RFC 6455 §5.5.3).
     */
    void onPeerActivity() { lastActivityNanos = System.nanoTime(); }

    /** System.nanoTime() of the peer's last frame other than a pong. */
    long lastActivityNanos() { return lastActivityNanos; }

    boolean closeStarted() {
        stateLock.lock();
        try {
            return closeStarted;
        } finally {
            stateLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "WebSocketConnection[" + id() + " " + role + " " + state + "]";
    }
}
