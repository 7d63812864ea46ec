package io.loomsocket.server;

import io.loomsocket.engine.HttpHeaders;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * One TCP connection and the virtual thread that serves it: requests one after another
 * (keep-alive, RFC 9112 §9.3), until the client closes, a timeout passes, an error forces a
 * close, the server stops, or the connection is upgraded.
 */
final class Connection implements Runnable {
    private static final System.Logger LOG = System.getLogger("io.loomsocket.server");
    /** On shutdown, how long a just-accepted connection may still send its first request. */
    static final long NEW_CONNECTION_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    /** IDLE: waiting for a request (closable by shutdown); BUSY: serving one; UPGRADED: handed over. */
    enum State { IDLE, BUSY, UPGRADED, CLOSED }

    private final HttpServer server;
    private final Socket socket;
    private final HttpHandler handler;
    private final ServerOptions options;
    /** Dropped (null) once the connection is upgraded: no request comes after. */
    private RequestParser parser;
    private final long acceptedAt = System.nanoTime();
    private final ReentrantLock lock = new ReentrantLock();
    private State state = State.IDLE;
    private HttpInput input;
    private OutputStream output;
    private volatile WatchedOutputStream watched;
    private UpgradedConnection upgraded;
    /** No request started yet (guarded by lock). */
    private boolean fresh = true;
    /** The upgraded connection's shutdown action was started (guarded by lock). */
    private boolean shutdownStarted;

    Connection(HttpServer server, Socket socket, HttpHandler handler, ServerOptions options) {
        this.server = server;
        this.socket = socket;
        this.handler = handler;
        this.options = options;
        this.parser = new RequestParser(options);
    }

    Socket socket() {
        return socket;
    }

    HttpServer server() {
        return server;
    }

    boolean isSecure() {
        return socket instanceof SSLSocket;
    }

    /**
     * The buffered output for responses, made at the first response: a WebSocket connection, whose
     * one response is the 101 ({@link #unbufferedOutput()}), never needs it. The JDK's default
     * constructor on a virtual thread starts at 512 bytes and grows to 8 KiB as responses need it.
     */
    OutputStream output() {
        if (output == null) output = new BufferedOutputStream(watched);
        return output;
    }

    /** The socket's output (write-timeout watched) without a buffer: for a head written in one write and flushed. */
    OutputStream unbufferedOutput() {
        return watched;
    }

    @Override
    public void run() {
        try {
            // The upgraded protocol's part (HttpExchange.afterHandler) runs here rather than in
            // serve(): a WebSocket view parks under it for the connection's life, and every frame
            // between it and this one stays on the heap while it does.
            Runnable upgraded = serve();
            if (upgraded != null) {
                parser = null;
                try {
                    upgraded.run();
                } catch (Throwable t) {
                    LOG.log(System.Logger.Level.ERROR, "handler failed after upgrade", t);
                }
            }
        } catch (SocketException | EOFException | SSLException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "connection ended: " + e);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "connection failed", t);
        } finally {
            lock.lock();
            try {
                state = State.CLOSED;
            } finally {
                lock.unlock();
            }
            closeQuietly();
            if (input != null) input.release(); // not after an upgrade: drain() gave it back then
            server.connectionEnded(this);
        }
    }

    /**
     * Serves requests until the connection ends (null) or a handler upgraded it: then the upgraded
     * protocol's part ({@link HttpExchange#afterHandler}), for {@link #run()} to run.
     */
    private Runnable serve() throws IOException {
        socket.setTcpNoDelay(true);
        input = new HttpInput(socket, socket.getInputStream(), options.maxHeaderSize(), server.headBuffers());
        watched = new WatchedOutputStream(socket.getOutputStream());
        long headerTimeout = options.headerReadTimeout().toNanos();
        boolean first = true;
        while (true) {
            // Wait for the first byte of the next request: within the header-read timeout of
            // accept for the first one, within the keep-alive timeout afterwards.
            if (first) input.deadline(acceptedAt + headerTimeout);
            else input.idleTimeout(millis(options.keepAliveTimeout().toNanos()));
            try {
                if (!input.await()) return null;
            } catch (SocketTimeoutException e) {
                return null; // idle: close without a response (RFC 9112 §9.5)
            }
            if (!enter(State.BUSY)) return null;
            if (!first) input.deadline(System.nanoTime() + headerTimeout);
            HttpExchange exchange;
            try {
                HttpRequestHead head = parser.parseHead(input);
                RequestParser.Framing framing = parser.framing(head);
                if (!(framing instanceof RequestParser.NoBody) && head.isHttp11()
                        && head.headers().containsToken("Expect", "100-continue")) {
                    output().write(CONTINUE); // RFC 9110 §10.1.1
                    output().flush();
                }
                // one deadline for the whole body: a per-read timeout would let a client trickling
                // a byte at a time hold the connection forever
                input.deadline(System.nanoTime() + options.bodyReadTimeout().toNanos());
                exchange = new HttpExchange(this, head, parser.readBody(input, framing));
            } catch (HttpException e) {
                sendError(e.status(), e.getMessage());
                return null; // the rest of the stream cannot be trusted: close (RFC 9112 §9.6)
            } catch (SocketTimeoutException e) {
                sendError(408, "request not received in time");
                return null;
            }
            // an upgraded protocol goes on in run(), without the handler's frames or this one's
            if (!handle(exchange)) return exchange.afterHandler();
            if (!exchange.keepAlive()) return null;
            if (!enter(State.IDLE)) return null;
            first = false;
        }
    }

    /** Runs the handler; false if the connection must end afterwards. */
    private boolean handle(HttpExchange exchange) throws IOException {
        try {
            handler.handle(exchange);
        } catch (Throwable t) {
            if (exchange.upgraded()) {
                LOG.log(System.Logger.Level.ERROR, "handler failed after upgrade", t);
                return false;
            }
            if (exchange.responded()) {
                LOG.log(System.Logger.Level.WARNING, "handler failed after responding; connection aborted", t);
                return false;
            }
            if (t instanceof HttpException he) {
                sendError(he.status(), he.getMessage(), exchange);
                return exchange.keepAlive();
            }
            LOG.log(System.Logger.Level.ERROR, "handler failed", t);
            sendError(500, "the server failed to handle this request", exchange);
            return exchange.keepAlive();
        }
        if (exchange.upgraded()) return false;
        if (!exchange.responded()) {
            LOG.log(System.Logger.Level.ERROR, "handler returned without responding to " + exchange.request().target());
            sendError(500, "the server produced no response", exchange);
        }
        return true;
    }

    private void sendError(int status, String message) throws IOException {
        HttpHeaders h = errorHeaders().set("Connection", "close");
        byte[] body = (status + " " + HttpStatus.reason(status) + ": " + message + "\n").getBytes(StandardCharsets.UTF_8);
        h.set("Content-Length", Integer.toString(body.length));
        OutputStream out = output();
        HttpExchange.writeHead(out, status, h);
        out.write(body);
        out.flush();
    }

    private void sendError(int status, String message, HttpExchange exchange) throws IOException {
        byte[] body = (status + " " + HttpStatus.reason(status) + ": " + message + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.respond(status, errorHeaders(), body);
    }

    private static HttpHeaders errorHeaders() {
        return new HttpHeaders().set("Content-Type", "text/plain; charset=utf-8").set("X-Content-Type-Options", "nosniff");
    }

    private static int millis(long nanos) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(nanos)));
    }

    /** Moves to {@code next} unless shutdown closed the connection; false then. */
    private boolean enter(State next) {
        lock.lock();
        try {
            if (state == State.CLOSED) return false;
            if (next == State.IDLE && server.isStopping()) return false;
            if (next == State.BUSY) fresh = false;
            state = next;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Called by the exchange once 101 is written: from now on the socket is not ours. */
    UpgradedConnection upgraded() throws IOException {
        socket.setSoTimeout(0);
        UpgradedConnection u = new UpgradedConnection(socket, input.drain());
        lock.lock();
        try {
            upgraded = u;
            state = State.UPGRADED;
        } finally {
            lock.unlock();
        }
        input = null;
        output = null;
        watched = null; // the WebSocket enforces its own write timeout
        return u;
    }

    /**
     * Graceful shutdown, called repeatedly while the server stops: an idle connection is closed
     * (one accepted less than {@link #NEW_CONNECTION_GRACE_NANOS} ago that has not sent its first
     * request yet is given that long, so a request racing the shutdown is still served); an
     * upgraded one runs its shutdown action once; a busy one finishes its response and then closes.
     */
    void shutdown(long now) {
        Runnable action = null;
        lock.lock();
        try {
            switch (state) {
                case IDLE -> {
                    if (fresh && now - acceptedAt < NEW_CONNECTION_GRACE_NANOS) return;
                    state = State.CLOSED;
                    closeQuietly();
                }
                case UPGRADED -> {
                    if (shutdownStarted) return;
                    shutdownStarted = true;
                    action = upgraded.shutdownAction();
                    if (action == null) closeQuietly();
                }
                default -> { }
            }
        } finally {
            lock.unlock();
        }
        if (action != null) {
            Runnable a = action;
            Thread.ofVirtual().name("loomsocket-shutdown").start(() -> {
                try {
                    a.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "shutdown action failed", e);
                    closeQuietly();
                }
            });
        }
    }

    /** True if a response write has been blocked longer than the write timeout (the client does not read). */
    boolean writeStalled(long now, long timeoutNanos) {
        WatchedOutputStream w = watched;
        return w != null && w.stalled(now, timeoutNanos);
    }

    /** Closes the socket at once (shutdown grace over, or a streamed response failed). */
    void abort() {
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "close failed: " + e);
        }
    }
}
