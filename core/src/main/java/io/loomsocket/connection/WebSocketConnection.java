package io.loomsocket.connection;

import io.loomsocket.Message;
import io.loomsocket.WebSocketListener;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.WebSocketException;
import io.loomsocket.WebSocketTimeoutException;
import io.loomsocket.engine.CloseCode;
import io.loomsocket.engine.DeflateConfig;
import io.loomsocket.engine.DeflateParams;
import io.loomsocket.engine.EngineConfig;
import io.loomsocket.engine.Event;
import io.loomsocket.engine.MaskSource;
import io.loomsocket.engine.MessageEncoder;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The blocking {@link WebSocket}: a driver that feeds the transport's bytes to the engine's
 * {@link WebSocketProtocol} and writes the protocol's bytes out. The protocol owns the RFC 6455
 * rules (the closing handshake and its codes, failing the connection, the automatic pong, nothing
 * after close); this class and its helpers own the I/O policy: who reads and when, the bounded
 * queue, write coalescing, backpressure both ways, and the clocks (close, write and keepalive
 * timeouts).
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>The <b>reader</b> ({@link Reader}) feeds transport bytes to the protocol, writes the pong a
 *       ping calls for at once (before buffered data), notices the peer's close and puts messages
 *       into the bounded queue. It
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
 * <h2>Locks</h2>
 * {@link #lock} guards the protocol and this class's close bookkeeping and is never held across
 * I/O or a wait; {@link Outbound} adds the write side's two locks (its table), and the
 * {@link InboundQueue} its own (it pairs the queue's conditions with the read ownership).
 *
 * <h2>State (RFC 6455 §7)</h2>
 * The protocol's state, until the transport is closed ({@link #terminate}); then CLOSED. After
 * both close frames a server closes the TCP connection at once and a client waits up to the
 * close timeout for the server to do it (§7.1.1). Messages queued before the peer's close stay
 * readable after CLOSED.
 *
 * <h2>Failing after what came before</h2>
 * When the peer breaks the protocol, the messages complete before the error stay queued and the
 * close frame with the error's code waits until the application has taken them all (its next
 * receive finds the end) or it closes, so what it sends in answer goes out first; at the latest
 * after the close timeout (§7.1.7, failing the connection). With nothing queued it goes out at once.
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
    private final Keepalive keepalive;
    private final long id = IDS.incrementAndGet();
    /** The config's listener, or null: one field read per event when there is none. */
    private final WebSocketListener listener;

    /** Guards {@link #protocol} and the fields below it; never held across I/O or a wait. */
    private final ReentrantLock lock = new ReentrantLock();
    private final WebSocketProtocol protocol;
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    /** The protocol's state as last seen, CLOSED once the transport is closed; read without the lock. */
    private volatile State state = State.OPEN;
    // guarded by lock
    private boolean terminated;
    private boolean closeStarted;
    /** The peer broke the protocol: our close frame waits for the application (see the class comment). */
    private Event.Failure peerFailure;
    private ScheduledFuture<?> closeTimer;
    private boolean deflateReleased;

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
        this.listener = config.listener();
        this.subprotocol = subprotocol == null || subprotocol.isEmpty() ? null : subprotocol;
        this.deflate = deflateParams == null ? null : PerMessageDeflate.of(role, deflateParams, deflateConfig(config));
        this.extensions = deflateParams == null ? "" : deflateParams.toHeaderValue();
        this.queue = new InboundQueue(config.maxQueue(), config.maxQueueBytes());
        this.protocol = new WebSocketProtocol(role, engineConfig(config), deflate,
                role == Role.CLIENT ? (masks == null ? MaskSource.secureRandom() : masks) : null);
        this.reader = new Reader(transport, queue, leftover == null ? new byte[0] : leftover,
                config.readBufferSize(), new ReaderEvents());
        this.out = new Outbound(transport, protocol, lock, config.writeBufferSize(), config.writeTimeout().toNanos(),
                new OutboundEvents());
        this.keepalive = new Keepalive(new KeepaliveTarget(), config.pingInterval());
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
        if (c.listener != null) c.listener.opened(c);
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
                .withMaxFragments(config.maxFragmentsPerMessage())
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
        InboundQueue.Take item = next(nanos, false);
        if (item == InboundQueue.Signal.EMPTY) {
            throw new WebSocketTimeoutException("no message within " + timeout);
        }
        return toMessage(item);
    }

    @Override
    public Optional<Message> read() {
        receiver = Thread.currentThread();
        ensureReading();
        InboundQueue.Take item = queue.poll();
        return item == InboundQueue.Signal.EMPTY ? Optional.empty() : toMessage(item);
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
        return switch (next(-1, true)) {
            case IncomingStream s -> {
                if (listener != null) listener.received(this, s.isText(), -1);
                yield Optional.of(s);
            }
            case InboundQueue.Whole w -> {
                if (listener != null) listener.received(this, w.message().isText(), w.message().length());
                yield Optional.of(IncomingStream.ofComplete(w.message().isText(), w.message().bytes()));
            }
            case InboundQueue.Signal s -> {
                endReached();
                yield Optional.empty();
            }
        };
    }

    /**
     * Takes the next queue item; flushes our buffered frames first if we are about to block. An
     * untimed whole-message receive reads the transport on this thread when nobody else does
     * (see {@link Reader}); any other wait makes sure the background reader runs.
     */
    private InboundQueue.Take next(long nanos, boolean wantStream) {
        receiver = Thread.currentThread();
        InboundQueue.Take item = queue.poll();
        if (item != InboundQueue.Signal.EMPTY) {
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
                if (item == InboundQueue.Signal.START_READER) {
                    startBackgroundReader();
                } else if (item == InboundQueue.Signal.READ_HERE) {
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
            // the same in every read mode: a receiver reading the socket itself has it closed by the
            // interrupt (a virtual thread's blocking socket read); one waiting for the queue aborts here
            abort();
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

    private Optional<Message> toMessage(InboundQueue.Take item) {
        switch (item) {
            case InboundQueue.Whole w -> {
                if (listener != null) listener.received(this, w.message().isText(), w.message().length());
                return Optional.of(w.message());
            }
            case InboundQueue.Signal s -> {
                endReached();
                return Optional.empty();
            }
            case IncomingStream s -> {
                // a message that was meant for receiveStream() but is received whole: bounded by maxMessageSize
                try {
                    Message m = s.readWhole(config.maxMessageSize());
                    if (m != null) {
                        if (listener != null) listener.received(this, m.isText(), m.length());
                        return Optional.of(m);
                    }
                } catch (IOException e) {
                    return Optional.empty(); // the connection closed in the middle of it
                }
                close(CloseCode.MESSAGE_TOO_BIG, "message too big");
                throw new WebSocketException("message over maxMessageSize (" + config.maxMessageSize()
                        + " bytes); use receiveStream() for it");
            }
        }
    }

    /**
     * A receiver found the end of the queue: every message before the peer's protocol error was
     * taken, and what the application sent in answer is out, so our close frame follows now.
     */
    private void endReached() {
        Event.Failure f;
        lock.lock();
        try {
            f = peerFailure;
        } finally {
            lock.unlock();
        }
        if (f != null) failConnection(f.closeCode(), f.reason());
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
        if (listener != null) listener.sent(this, text != null, text != null ? Message.text(text).length() : len);
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
        lock.lock();
        try {
            if (terminated) return;
            closeStarted = true;
            protocol.close(code, reason == null ? "" : reason); // a no-op once a close frame is queued
            publishState();
        } finally {
            lock.unlock();
        }
        // we will not read on: never let a full queue keep the reader from seeing the peer's close
        queue.discardWhenFull();
        ensureReading();
        IncomingStream s = currentStream;
        if (s != null) s.discardWhenFull();
        try {
            if (!out.writeAndWait(config.closeTimeout().toNanos())) {
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

    /** Copies the protocol's state, unless the transport is closed. Lock held. */
    private void publishState() {
        if (terminated) return;
        switch (protocol.state()) {
            case OPEN -> state = State.OPEN;
            case CLOSING_SENT -> state = State.CLOSING_SENT;
            case CLOSING_RECEIVED -> state = State.CLOSING_RECEIVED;
            case CLOSED -> { } // until the transport is closed, the closing state it came from
        }
    }

    /**
     * The reader received the peer's close frame (RFC 6455 §5.5.1): the protocol queued the echo
     * (before the queue ends, so a view that returns at once cannot get its own close(1000) out
     * first); write it and finish.
     */
    private void onCloseFrame() {
        lock.lock();
        try {
            publishState();
        } finally {
            lock.unlock();
        }
        queue.end(); // no data after close (§5.5.1): receivers drain and then see the end
        out.writePending();
        closedMaybe();
    }

    /** Our close frame is on the wire (called under the write lock). */
    private void onCloseWritten() {
        lock.lock();
        try {
            publishState();
            if (protocol.state() != WebSocketProtocol.State.CLOSED && closeTimer == null && !terminated) {
                closeTimer = SharedTimers.schedule(() -> terminateLater(CloseCode.ABNORMAL, "closing handshake timed out"),
                        config.closeTimeout().toNanos());
            }
        } finally {
            lock.unlock();
        }
        closedMaybe();
    }

    /**
     * Once both close frames are exchanged (or we failed): a server closes TCP now, a client
     * gives the server the close timeout to do it (RFC 6455 §7.1.1; the reader sees the EOF).
     */
    private void closedMaybe() {
        boolean now;
        lock.lock();
        try {
            if (terminated || protocol.state() != WebSocketProtocol.State.CLOSED) return;
            now = protocol.closeTransportNow();
            if (!now && closeTimer == null) {
                closeTimer = SharedTimers.schedule(() -> terminateLater(-1, ""), config.closeTimeout().toNanos());
            }
        } finally {
            lock.unlock();
        }
        if (now) terminate(-1, "");
    }

    /**
     * The peer broke the protocol after the events before it (strict delivery). With nothing
     * queued, the application has every message already: fail now. Otherwise the queue ends, and
     * our close frame goes out when a receiver finds the end, the application closes, or the close
     * timeout passes, whichever comes first.
     */
    private void onPeerFailure(Event.Failure f) {
        LOG.log(System.Logger.Level.DEBUG, "{0}: the peer broke the protocol: {1} {2}", id(), f.closeCode(), f.reason());
        if (queue.size() == 0) {
            failConnection(f.closeCode(), f.reason());
            return;
        }
        lock.lock();
        try {
            if (terminated) return;
            peerFailure = f;
            if (closeTimer == null) {
                closeTimer = SharedTimers.schedule(() -> SharedTimers.runVirtual("loomsocket-fail-" + id,
                        () -> failConnection(f.closeCode(), f.reason())), config.closeTimeout().toNanos());
            }
        } finally {
            lock.unlock();
        }
        queue.end();
    }

    /** Fails the connection (RFC 6455 §7.1.7): sends our close frame with {@code code}, then closes TCP. */
    void failConnection(int code, String reason) {
        lock.lock();
        try {
            if (terminated) return;
            protocol.fail(code, reason);
            publishState();
        } finally {
            lock.unlock();
        }
        LOG.log(System.Logger.Level.DEBUG, "{0}: failing the connection: {1} {2}", id(), code, reason);
        queue.end();
        try {
            out.writeAndWait(config.closeTimeout().toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        terminate(code, reason);
    }

    /**
     * Closes the transport and moves to CLOSED. {@code code} is recorded unless the protocol knows
     * one already; -1 means "whatever is known, else 1006". Idempotent, any thread.
     */
    void terminate(int code, String reason) {
        lock.lock();
        try {
            if (terminated) return;
            terminated = true;
            state = State.CLOSED;
            if (protocol.closeCode() < 0) protocol.fail(code < 0 ? CloseCode.ABNORMAL : code, code < 0 ? "" : reason);
            if (closeTimer != null) closeTimer.cancel(false);
        } finally {
            lock.unlock();
        }
        keepalive.stop();
        out.stop();
        transport.close();
        queue.end();
        IncomingStream s = currentStream;
        if (s != null) s.fail("connection closed before the message ended");
        pings.closeAll(this::closedException);
        if (reader.isDone()) releaseResources(); // else the reader releases them when it stops
        closedLatch.countDown();
        if (listener != null) listener.closed(this, closeCode().orElse(CloseCode.ABNORMAL));
    }

    /** The keepalive's pong did not come: tell the listener, then fail with 1011 (RFC 6455 §7.4.1). */
    private void keepaliveTimedOut() {
        if (listener != null) listener.keepaliveTimedOut(this);
        failConnection(CloseCode.INTERNAL_ERROR, "keepalive ping timeout");
    }

    /**
     * {@link #terminate} from a timer: on a virtual thread, because closing a TLS socket may block
     * (close_notify) and the shared timer thread must never block.
     */
    private void terminateLater(int code, String reason) {
        if (state == State.CLOSED) return;
        SharedTimers.runVirtual("loomsocket-terminate-" + id, () -> terminate(code, reason));
    }

    /** Releases compression state once neither side can use it (the reader stopped, the transport is closed). */
    private void releaseResources() {
        if (deflate == null) return;
        out.writeLock.lock();
        try {
            lock.lock();
            try {
                if (deflateReleased) return;
                deflateReleased = true;
            } finally {
                lock.unlock();
            }
            deflate.close();
        } finally {
            out.writeLock.unlock();
        }
    }

    WebSocketClosedException closedException() {
        lock.lock();
        try {
            int code = protocol.closeCode();
            return new WebSocketClosedException(code < 0 ? CloseCode.ABNORMAL : code, code < 0 ? "" : protocol.closeReason());
        } finally {
            lock.unlock();
        }
    }

    /** What the reader reports; each event was produced by the protocol under {@link #lock}. */
    private final class ReaderEvents implements Reader.Events {
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

        @Override public void onClose() { onCloseFrame(); }

        @Override public void onFailure(Event.Failure f) { onPeerFailure(f); }

        @Override public void onStream(IncomingStream s) {
            currentStream = s;
            if (s != null && closeStarted()) s.discardWhenFull();
        }

        @Override public void onEnd(IOException error) {
            if (error != null && state != State.CLOSED) {
                LOG.log(System.Logger.Level.DEBUG, "{0}: read failed: {1}", id(), error.toString());
            }
            lock.lock();
            try {
                protocol.receiveEof();
            } finally {
                lock.unlock();
            }
            terminate(-1, "");
        }

        @Override public void onStopped() { releaseResources(); }

        @Override public void onCrash(RuntimeException e) {
            System.getLogger(Reader.class.getName()).log(System.Logger.Level.ERROR, id() + ": reader failed", e);
            failConnection(CloseCode.INTERNAL_ERROR, "internal error");
        }

        @Override public void watchReading() { WebSocketConnection.this.watchReading(); }
    }

    private final class KeepaliveTarget implements Keepalive.Target {
        @Override public boolean isOpen() { return state == State.OPEN; }

        @Override public Duration ping() { return WebSocketConnection.this.ping(); }

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

        @Override public void timedOut() { keepaliveTimedOut(); }

        @Override public String id() { return WebSocketConnection.this.id(); }
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
        lock.lock();
        try {
            int code = protocol.closeCode();
            return code < 0 ? OptionalInt.empty() : OptionalInt.of(code);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String closeReason() {
        lock.lock();
        try {
            return protocol.closeCode() < 0 ? "" : protocol.closeReason();
        } finally {
            lock.unlock();
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

    // ---- for ReadWatch and tests ----

    InboundQueue queue() { return queue; }

    Transport transport() { return transport; }

    Outbound outbound() { return out; }

    PingTracker pings() { return pings; }

    WebSocketConfig config() { return config; }

    private boolean closeStarted() {
        lock.lock();
        try {
            return closeStarted;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "WebSocketConnection[" + id() + " " + role + " " + state + "]";
    }
}
