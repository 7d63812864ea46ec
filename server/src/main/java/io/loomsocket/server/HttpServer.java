package io.loomsocket.server;

import io.loomsocket.engine.HttpHeaders;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;

/**
 * An embedded HTTP/1.1 server (RFC 9112) on {@link java.net.ServerSocket}, one virtual thread per
 * connection. Start it with {@link #start}; {@link #stop()} shuts it down gracefully.
 *
 * <pre>{@code
 * try (var server = HttpServer.start(ServerOptions.builder().port(0).build(),
 *         ex -> ex.respond(200, new HttpHeaders(), "hi".getBytes()))) {
 *     System.out.println(server.port());
 * }
 * }</pre>
 */
public final class HttpServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.loomsocket.server");
    private static final byte[] BUSY_RESPONSE = ("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
            + "Content-Type: text/plain\r\nContent-Length: 20\r\n\r\nToo many connections").getBytes(StandardCharsets.ISO_8859_1);

    /** The most of a shutdown's grace period kept for aborting what is still open (see {@link #abortReserveNanos}). */
    static final long MAX_ABORT_RESERVE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * Pause after a failed accept (file descriptors exhausted, an OutOfMemoryError, ...) before trying
     * again: 10 ms, doubling with each failure in a row up to 1 s, back to 10 ms after an accept that
     * works (Tomcat's Acceptor backs off the same way, 50 ms to 1.6 s).
     */
    static final long ACCEPT_BACKOFF_MIN_MILLIS = 10;
    static final long ACCEPT_BACKOFF_MAX_MILLIS = 1000;

    /** Takes the next connection from the listening socket; a seam for tests that make it fail. */
    @FunctionalInterface
    interface Acceptor {
        Socket accept(ServerSocket listening) throws IOException;
    }

    /** The JDK's switch between its socket pollers: 1 = platform threads, 2 = virtual threads. */
    static final String POLLER_MODE_PROPERTY = "jdk.pollerMode";

    /**
     * Chooses the JDK's platform-thread socket pollers ({@code -Djdk.pollerMode=1}) unless the
     * command line chose a mode. JDK 25 on Linux defaults to pollers that are themselves virtual
     * threads: a socket that becomes readable then waits for a carrier twice, once to run its poller
     * and once to run its reader, and under load that doubles the latency tail (bench, 32 connections
     * with one message in flight: p99 4.2 ms with mode 2, 1.2 ms with mode 1, Netty 2.2 ms).
     *
     * <p>A JVM-wide choice, so it belongs to the launcher: {@link io.loomsocket.web.WebApp#run()} and
     * the demo's {@code main} call it; an application that starts the server itself calls it first
     * thing in its {@code main}, or passes {@code -Djdk.pollerMode=1}. Loading or starting this class
     * sets nothing. The JDK reads the property once, when a virtual thread first waits on a socket,
     * so it must run before any socket is used. JDKs without the property ignore it.
     */
    public static void preferPlatformPollers() {
        if (System.getProperty(POLLER_MODE_PROPERTY) == null) System.setProperty(POLLER_MODE_PROPERTY, "1");
    }

    /** The JDK's switch that refuses TLS renegotiations a client starts (its only control of them). */
    static final String REJECT_RENEGOTIATION_PROPERTY = "jdk.tls.rejectClientInitiatedRenegotiation";

    /**
     * Refuses client-initiated TLS renegotiation (RFC 5746 §4.4 lets a server do so): each one costs
     * the server a full handshake, so a client repeating them is a cheap CPU attack (TLS 1.3 has no
     * renegotiation at all). JSSE offers no per-connection switch, only this JVM-wide property, read
     * once when the JVM's first server-side handshake starts; so it is set when a TLS server starts,
     * before it accepts, unless the command line chose a value.
     */
    static void rejectClientRenegotiation() {
        if (System.getProperty(REJECT_RENEGOTIATION_PROPERTY) == null) System.setProperty(REJECT_RENEGOTIATION_PROPERTY, "true");
    }

    private final ServerOptions options;
    private final HttpHandler handler;
    private final ServerSocket serverSocket;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    /** Open connections per client address, kept only when {@code maxConnectionsPerIp} is set. */
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition connectionsChanged = lock.newCondition();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Acceptor acceptFn;
    private final Thread acceptor;
    private final Thread watchdog;
    private final AtomicLong writeTimeouts = new AtomicLong();
    private final List<Runnable> whenStopped = new CopyOnWriteArrayList<>();
    /** Makes each connection's virtual thread (a factory, not a builder per connection). */
    private static final ThreadFactory CONNECTION_THREADS = Thread.ofVirtual().name("loomsocket-conn").factory();
    /** The connections' spare request-head buffers. */
    private final BufferPool headBuffers = new BufferPool(HttpInput.BUFFER_SIZE);
    private volatile String stopSummary;

    private HttpServer(ServerOptions options, HttpHandler handler, Acceptor acceptFn) throws IOException {
        this.options = options;
        this.handler = handler;
        this.acceptFn = acceptFn;
        ServerSocket ss;
        if (options.sslContext() != null) {
            rejectClientRenegotiation();
            SSLServerSocket tls = (SSLServerSocket) options.sslContext().getServerSocketFactory().createServerSocket();
            SSLParameters params = tls.getSSLParameters();
            params.setProtocols(options.tlsProtocols().toArray(String[]::new));
            params.setCipherSuites(options.tlsCipherSuites().toArray(String[]::new));
            params.setUseCipherSuitesOrder(true); // the server's order: the strongest suite both sides have
            tls.setSSLParameters(params);
            ss = tls;
        } else {
            ss = new ServerSocket();
        }
        try {
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(InetAddress.getByName(options.host()), options.port()), 1024);
        } catch (IOException e) {
            ss.close();
            throw new IOException("cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
        }
        this.serverSocket = ss;
        this.watchdog = Thread.ofVirtual().name("loomsocket-write-watchdog").unstarted(this::watchWrites);
        this.acceptor = Thread.ofPlatform().name("loomsocket-acceptor-" + ss.getLocalPort()).daemon(false).unstarted(this::acceptLoop);
    }

    /** Binds and starts accepting; returns once the port is open. */
    public static HttpServer start(ServerOptions options, HttpHandler handler) throws IOException {
        return start(options, handler, ServerSocket::accept);
    }

    /** {@link #start(ServerOptions, HttpHandler)} taking connections through {@code acceptFn}. */
    static HttpServer start(ServerOptions options, HttpHandler handler, Acceptor acceptFn) throws IOException {
        HttpServer server = new HttpServer(options, handler, acceptFn);
        server.acceptor.start();
        server.watchdog.start();
        LOG.log(System.Logger.Level.INFO, () -> "loomsocket listening on " + String.join(" ", server.urls()));
        return server;
    }

    /**
     * Every base URL the server answers on ({@code http://127.0.0.1:8000/}): one per address of
     * each network interface when it listens on the wildcard address, else the one it is bound to.
     */
    public List<String> urls() {
        String scheme = isSecure() ? "https" : "http";
        InetAddress bound = serverSocket.getInetAddress();
        List<InetAddress> addresses = new java.util.ArrayList<>();
        if (bound.isAnyLocalAddress()) {
            try {
                for (var nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                    if (!nif.isUp()) continue;
                    for (InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
                        // an IPv4 wildcard takes IPv4 only; the IPv6 one takes both (dual stack)
                        if (bound instanceof java.net.Inet4Address && !(a instanceof java.net.Inet4Address)) continue;
                        if (a.isLinkLocalAddress()) continue; // needs a zone id no browser takes
                        addresses.add(a);
                    }
                }
            } catch (java.net.SocketException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "cannot list the network interfaces: " + e);
            }
        }
        if (addresses.isEmpty()) addresses.add(bound);
        addresses.sort(java.util.Comparator.comparing((InetAddress a) -> !a.isLoopbackAddress())
                .thenComparing(a -> a instanceof java.net.Inet6Address));
        List<String> urls = new java.util.ArrayList<>();
        for (InetAddress a : addresses) {
            String host = a.getHostAddress();
            int zone = host.indexOf('%');
            if (zone >= 0) host = host.substring(0, zone);
            urls.add(scheme + "://" + (a instanceof java.net.Inet6Address ? "[" + host + "]" : host) + ":" + port() + "/");
        }
        return urls;
    }

    public ServerOptions options() {
        return options;
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return serverSocket.getLocalPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverSocket.getLocalSocketAddress();
    }

    public boolean isSecure() {
        return options.sslContext() != null;
    }

    public boolean isStopping() {
        return stopping.get();
    }

    /**
     * True from the moment {@link #stop} is called: during {@code drainDelay} the server still
     * serves everything as usual, but a health check should answer 503 so that load balancers
     * stop sending new clients before WebSockets are closed with 1001.
     */
    public boolean isDraining() {
        return draining.get();
    }

    /** Open connections now (HTTP and upgraded). */
    public int openConnections() {
        return connections.size();
    }

    /** Connections accepted since start. */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** Connections refused with 503 because {@code maxConnections} (or {@code maxConnectionsPerIp}) were open. */
    public long refusedConnections() {
        return refused.get();
    }

    /** Connections closed because a client did not read a response within the write timeout. */
    public long writeTimeouts() {
        return writeTimeouts.get();
    }

    /**
     * Closes connections whose response writes have been blocked past the write timeout, so a
     * client that never reads cannot hold a thread and a connection slot forever. Checks a few
     * times per timeout period.
     */
    private void watchWrites() {
        long timeout = options.writeTimeout().toNanos();
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(timeout / 4, TimeUnit.SECONDS.toNanos(1)));
        while (stopped.getCount() > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Connection c : connections) {
                if (c.writeStalled(now, timeout)) {
                    writeTimeouts.incrementAndGet();
                    LOG.log(System.Logger.Level.DEBUG, () -> "closing " + c.socket().getRemoteSocketAddress()
                            + ": it read nothing for " + options.writeTimeout().toMillis() + " ms");
                    c.abort();
                }
            }
        }
    }

    /**
     * Accepts until the server stops. Nothing that goes wrong here ends the loop: an accept that
     * fails (EMFILE, or an Error such as OutOfMemoryError) is logged and retried after a growing
     * pause, because a listening socket nobody accepts from still passes a TCP health check while
     * every client hangs in the backlog.
     */
    private void acceptLoop() {
        long backoff = ACCEPT_BACKOFF_MIN_MILLIS;
        while (!stopping.get()) {
            Socket socket = null;
            try {
                socket = acceptFn.accept(serverSocket);
                admit(socket);
                backoff = ACCEPT_BACKOFF_MIN_MILLIS;
            } catch (Throwable t) {
                if (stopping.get() || serverSocket.isClosed()) return;
                if (socket != null) closeQuietly(socket);
                if (t instanceof IOException) { // e.g. EMFILE (too many open files): transient
                    LOG.log(System.Logger.Level.WARNING, "accept failed: " + t.getMessage() + "; retrying in " + backoff + " ms");
                } else {
                    LOG.log(System.Logger.Level.ERROR, "accepting a connection failed; retrying in " + backoff + " ms", t);
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(ACCEPT_BACKOFF_MAX_MILLIS, backoff * 2);
            }
        }
    }

    /** Serves a just-accepted socket on its own virtual thread, or refuses it at a connection limit. */
    private void admit(Socket socket) {
        if (connections.size() >= options.maxConnections() || !takeAddressSlot(socket.getInetAddress())) {
            refuse(socket);
            return;
        }
        accepted.incrementAndGet();
        Connection c = new Connection(this, socket, handler, options);
        connections.add(c);
        if (stopping.get()) { // stop() may have walked the set before this add
            c.abort();
            connectionEnded(c);
            return;
        }
        try {
            CONNECTION_THREADS.newThread(c).start();
        } catch (Throwable t) {
            connectionEnded(c);
            throw t;
        }
    }

    /** Counts a connection from {@code address}; false (counting nothing) if it already has {@code maxConnectionsPerIp}. */
    private boolean takeAddressSlot(InetAddress address) {
        int max = options.maxConnectionsPerIp();
        if (max == 0) return true;
        boolean[] taken = {false};
        perAddress.compute(address, (a, n) -> {
            int open = n == null ? 0 : n;
            if (open >= max) return n;
            taken[0] = true;
            return open + 1;
        });
        return taken[0];
    }

    private void releaseAddressSlot(InetAddress address) {
        if (options.maxConnectionsPerIp() == 0) return;
        perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "close failed: " + e);
        }
    }

    /** At the connection limit: answer 503 without reading and close (plain TCP), or just close (TLS). */
    private void refuse(Socket socket) {
        refused.incrementAndGet();
        try (socket) {
            if (options.sslContext() == null) {
                socket.setSoLinger(true, 0);
                OutputStream out = socket.getOutputStream();
                out.write(BUSY_RESPONSE);
                out.flush();
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "refusing a connection failed: " + e);
        }
    }

    BufferPool headBuffers() {
        return headBuffers;
    }

    void connectionEnded(Connection c) {
        if (connections.remove(c)) releaseAddressSlot(c.socket().getInetAddress());
        // only stop() waits for this signal, and it polls as well: a connection that ends after
        // reading stopping false ended before stop() looks at the set
        if (!stopping.get()) return;
        lock.lock();
        try {
            connectionsChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** {@link #stop(Duration)} with the configured grace period. */
    public void stop() {
        stop(options.shutdownGrace());
    }

    /** {@link #stop(Duration)}, with the configured grace period. */
    public void stop(Duration grace) {
        stop(grace, "stop() called");
    }

    /**
     * Graceful shutdown: stops accepting, closes idle connections, lets requests in progress
     * finish (their responses carry {@code Connection: close}), runs each upgraded connection's
     * shutdown action (a WebSocket closes with 1001), and waits for all connections to end;
     * what is still open shortly before {@code grace} ends (a quarter of it, at most 1 s, before)
     * is closed, so that this method returns within {@code grace}. Idempotent; later callers wait
     * for the first. With a {@code drainDelay} (see {@link ServerOptions}), everything above starts
     * only after it, while {@link #isDraining()} is true; the grace period follows it. Logs one line with how it ended: {@code reason} (what asked for the stop),
     * how long it took, how many connections ended by themselves and how many were aborted.
     */
    public void stop(Duration grace, String reason) {
        if (!draining.compareAndSet(false, true)) {
            awaitStopped();
            return;
        }
        long began = System.nanoTime();
        if (options.drainDelay().isPositive()) {
            LOG.log(System.Logger.Level.INFO, () -> "loomsocket on port " + port() + " draining (" + reason + "): serving as usual for "
                    + options.drainDelay().toMillis() + " ms (shutdown.drain_delay) while health checks answer 503");
            try {
                Thread.sleep(options.drainDelay());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopping.set(true);
        int open = connections.size();
        int aborted = 0;
        try {
            try {
                serverSocket.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "closing the listening socket failed: " + e);
            }
            // the whole stop fits in the grace period: stragglers are aborted a little before it
            // ends, leaving that reserve for their threads to wind down (and the process to exit)
            long start = System.nanoTime();
            long deadline = start + grace.toNanos();
            long abortAt = deadline - abortReserveNanos(grace.toNanos());
            if (!awaitConnections(abortAt, true)) {
                LOG.log(System.Logger.Level.WARNING, connections.size() + " connection(s) still open "
                        + (abortAt - start) / 1_000_000 + " ms into the " + grace.toMillis() + " ms grace period; closing them");
                for (Connection c : connections) {
                    c.abort();
                    aborted++;
                }
                awaitConnections(deadline, false);
            }
            try {
                acceptor.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } finally {
            runWhenStopped();
            String summary = "loomsocket on port " + port() + " stopped (" + reason + ") in "
                    + (System.nanoTime() - began) / 1_000_000 + " ms" + (options.drainDelay().isPositive()
                    ? " (" + options.drainDelay().toMillis() + " ms of it draining)" : "") + ": " + (open - aborted) + " of " + open
                    + " open connection(s) closed gracefully" + (aborted > 0 ? ", " + aborted
                    + " aborted at the end of the " + grace.toMillis() + " ms grace period (shutdown.grace_period)" : "");
            stopSummary = summary;
            LOG.log(System.Logger.Level.INFO, summary);
            stopped.countDown();
            watchdog.interrupt();
        }
    }

    /**
     * How long before the end of a grace period of {@code graceNanos} the connections still open
     * are aborted: a quarter of it, at most {@link #MAX_ABORT_RESERVE_NANOS}. Aborting closes their
     * sockets; their threads then need a moment (measured: up to ~0.4 s on a loaded 2-core box) to
     * end, and the process to exit, before the grace period is over.
     */
    static long abortReserveNanos(long graceNanos) {
        return Math.min(MAX_ABORT_RESERVE_NANOS, graceNanos / 4);
    }

    /**
     * Waits until every connection ended or {@code deadline} passed; with {@code sweep}, asks
     * each connection to shut down every few milliseconds (new idle ones, late upgrades).
     */
    private boolean awaitConnections(long deadline, boolean sweep) {
        while (!connections.isEmpty()) {
            long now = System.nanoTime();
            if (now - deadline >= 0) return false;
            if (sweep) {
                for (Connection c : connections) c.shutdown(now);
            }
            lock.lock();
            try {
                if (connections.isEmpty()) return true;
                connectionsChanged.awaitNanos(Math.min(deadline - now, TimeUnit.MILLISECONDS.toNanos(50)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return connections.isEmpty();
            } finally {
                lock.unlock();
            }
        }
        return true;
    }

    /**
     * Runs {@code action} at the end of {@link #stop}, after the connections ended and before
     * {@link #awaitStopped()} returns (to flush a log, say). Actions run in the order added; one
     * that throws is logged and the others still run.
     */
    public void whenStopped(Runnable action) {
        whenStopped.add(java.util.Objects.requireNonNull(action, "action"));
    }

    private void runWhenStopped() {
        for (Runnable r : whenStopped) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "an action at server stop failed", e);
            }
        }
    }

    /**
     * The line {@link #stop} logged about how the server ended (why, how long, how many
     * connections closed gracefully or were aborted); null until it has stopped. A shutdown hook
     * may print it itself: java.util.logging closes its handlers in a shutdown hook of its own, so a
     * line logged while the JVM exits can be lost.
     */
    public String stopSummary() {
        return stopSummary;
    }

    /** Blocks until {@link #stop()} has finished. */
    public void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
