package io.loomsocket.server;

import io.loomsocket.engine.HttpHead;
import io.loomsocket.engine.HttpHeaders;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * One request and its response, on one connection. The handler reads the request, then either
 * responds once (fixed or streamed body) or upgrades the connection. Not thread-safe: the
 * connection's thread owns it.
 */
public final class HttpExchange {
    private final Connection connection;
    private final HttpRequestHead request;
    private final byte[] body;
    private boolean responded;
    private boolean upgraded;
    private boolean keepAlive;
    private boolean upgrading;
    private Runnable afterHandler;

    HttpExchange(Connection connection, HttpRequestHead request, byte[] body) {
        this.connection = connection;
        this.request = request;
        this.body = body;
    }

    public HttpRequestHead request() {
        return request;
    }

    /** The request body, de-chunked (empty if none). The array is the exchange's own. */
    public byte[] body() {
        return body;
    }

    public SocketAddress remoteAddress() {
        return connection.socket().getRemoteSocketAddress();
    }

    public SocketAddress localAddress() {
        return connection.socket().getLocalSocketAddress();
    }

    /** True for HTTPS (and so WSS after an upgrade). */
    public boolean isSecure() {
        return connection.isSecure();
    }

    /** True once a response was sent or the connection upgraded. */
    public boolean responded() {
        return responded || upgraded;
    }

    public boolean upgraded() {
        return upgraded;
    }

    /** True while the server is shutting down (new upgrades are refused with 503 then). */
    public boolean serverStopping() {
        return connection.server().isStopping();
    }

    /** True once the server was asked to stop, its drain delay included (see {@link HttpServer#isDraining()}). */
    public boolean serverDraining() {
        return connection.server().isDraining();
    }

    /** Sends a response with a fixed body (Content-Length framing; no body bytes for HEAD). */
    public void respond(int status, HttpHeaders headers, byte[] content) throws IOException {
        begin(status, headers);
        OutputStream out = connection.output();
        boolean withBody = !HttpStatus.forbidsBody(status);
        HttpHeaders h = framingHeaders(headers);
        if (withBody) h.set("Content-Length", Integer.toString(content.length));
        writeHead(out, status, h);
        if (withBody && !isHead()) out.write(content);
        out.flush();
    }

    /**
     * Sends a response of known length written by {@code writer} (a file, say), with
     * Content-Length framing. Writing more or fewer than {@code length} bytes aborts the connection.
     */
    public void respond(int status, HttpHeaders headers, long length, BodyWriter writer) throws IOException {
        if (length < 0) throw new IllegalArgumentException("negative length");
        begin(status, headers);
        OutputStream out = connection.output();
        boolean withBody = !HttpStatus.forbidsBody(status);
        HttpHeaders h = framingHeaders(headers);
        if (withBody) h.set("Content-Length", Long.toString(length));
        writeHead(out, status, h);
        if (withBody && !isHead()) {
            try {
                LengthCheckingOutputStream body = new LengthCheckingOutputStream(out, length);
                writer.writeTo(body);
                if (body.remaining != 0) throw new IOException("body ended " + body.remaining + " bytes short of its Content-Length");
            } catch (IOException | RuntimeException | Error e) {
                keepAlive = false;
                connection.abort();
                throw e;
            }
        }
        out.flush();
    }

    /**
     * Sends a response whose body is written as it is produced: chunked for HTTP/1.1, and
     * ended by closing the connection for HTTP/1.0 (RFC 9112 §6.3). If the writer throws,
     * the connection is aborted (the status line is already out).
     */
    public void respond(int status, HttpHeaders headers, BodyWriter writer) throws IOException {
        begin(status, headers);
        OutputStream out = connection.output();
        boolean withBody = !HttpStatus.forbidsBody(status) && !isHead();
        HttpHeaders h = framingHeaders(headers);
        if (!HttpStatus.forbidsBody(status)) {
            if (request.isHttp11()) {
                h.set("Transfer-Encoding", "chunked");
            } else {
                keepAlive = false;
                h.set("Connection", "close");
            }
        }
        writeHead(out, status, h);
        if (!withBody) {
            out.flush();
            return;
        }
        try {
            if (request.isHttp11()) {
                try (ChunkedOutputStream chunked = new ChunkedOutputStream(out)) {
                    writer.writeTo(chunked);
                }
            } else {
                writer.writeTo(new UnclosableOutputStream(out));
            }
            out.flush();
        } catch (IOException | RuntimeException | Error e) {
            keepAlive = false;
            connection.abort();
            throw e;
        }
    }

    /**
     * Sends {@code 101 Switching Protocols} with {@code headers} (which should include
     * {@code Upgrade} and {@code Connection: Upgrade}) and hands the connection over.
     * After this the server never writes to the socket again.
     *
     * @throws HttpException 503 if the server is shutting down (nothing was sent)
     */
    public UpgradedConnection upgrade(HttpHeaders headers) throws IOException {
        if (connection.server().isStopping()) throw new HttpException(503, "server is shutting down");
        upgrading = true;
        begin(101, headers);
        HttpHeaders h = headers;
        if (h.contains("Content-Length") || h.contains("Transfer-Encoding")) {
            h = new HttpHeaders(headers);
            h.remove("Content-Length");
            h.remove("Transfer-Encoding");
        }
        // nothing was written before on this exchange: the head goes out in one write, unbuffered
        OutputStream out = connection.unbufferedOutput();
        writeHead(out, 101, h);
        out.flush();
        upgraded = true;
        keepAlive = false;
        return connection.upgraded();
    }

    /**
     * After {@link #upgrade}: runs {@code task} on this connection's thread once the handler has
     * returned, then ends the connection. A protocol that keeps the connection for long (a
     * WebSocket view) then runs without the handler's frames beneath it; a virtual thread parked
     * on an idle connection keeps its frames on the heap, so fewer frames is less memory per idle
     * connection. A failure of the task is logged, as one of the handler after the upgrade.
     */
    public void afterHandler(Runnable task) {
        if (!upgraded) throw new IllegalStateException("afterHandler needs an upgraded connection");
        if (afterHandler != null) throw new IllegalStateException("afterHandler was already given a task");
        afterHandler = Objects.requireNonNull(task, "task");
    }

    /** The task given to {@link #afterHandler}, or null. */
    Runnable afterHandler() {
        return afterHandler;
    }

    /** Checks and records the start of a response; the head and body are then written by the caller. */
    private void begin(int status, HttpHeaders headers) {
        if (responded || upgraded) throw new IllegalStateException("this exchange already responded");
        if (status == 101 ? !upgrading : status < 200 || status > 599) {
            throw new IllegalArgumentException("invalid response status " + status + " (use upgrade() for 101)");
        }
        responded = status != 101;
        // A refused upgrade (any answer but 101 to a request with Upgrade) closes the connection: a
        // proxy that does not check for 101 may already treat it as a tunnel, and requests smuggled
        // through that tunnel would reach us unchecked (RFC 9110 §7.8)
        keepAlive = request.wantsKeepAlive() && !connection.server().isStopping()
                && !headers.containsToken("Connection", "close")
                && (status == 101 || !request.headers().contains("Upgrade"));
    }

    private HttpHeaders framingHeaders(HttpHeaders headers) {
        HttpHeaders h = new HttpHeaders(headers);
        h.remove("Content-Length");
        h.remove("Transfer-Encoding");
        h.remove("Connection");
        if (!keepAlive) h.set("Connection", "close");
        else if (!request.isHttp11()) h.set("Connection", "keep-alive");
        return h;
    }

    private boolean isHead() {
        return request.method().equals("HEAD");
    }

    /** True if the connection may carry another request after this response. */
    boolean keepAlive() {
        return keepAlive && !upgraded;
    }

    private record CachedDate(long second, String text) {}

    private static volatile CachedDate cachedDate = new CachedDate(-1, "");

    /** The current time as an HTTP date, formatted at most once a second. */
    private static String httpDate() {
        long second = System.currentTimeMillis() / 1000;
        CachedDate c = cachedDate;
        if (c.second() != second) {
            c = new CachedDate(second, HttpDate.format(Instant.ofEpochSecond(second)));
            cachedDate = c;
        }
        return c.text();
    }

    /** Status lines already made, by status (a benign race: a line may be made twice). */
    private static final String[] STATUS_LINES = new String[600];

    private static String statusLine(int status) {
        if (status < 0 || status >= STATUS_LINES.length) return "HTTP/1.1 " + status + " " + HttpStatus.reason(status);
        String line = STATUS_LINES[status];
        if (line == null) STATUS_LINES[status] = line = "HTTP/1.1 " + status + " " + HttpStatus.reason(status);
        return line;
    }

    static void writeHead(OutputStream out, int status, HttpHeaders headers) throws IOException {
        String statusLine = statusLine(status);
        if (!headers.contains("Date") && status >= 200) { // RFC 9110 §6.6.1
            out.write(HttpHead.encode(statusLine, HttpHeaders.of("Date", httpDate()), headers));
        } else {
            out.write(HttpHead.encode(statusLine, headers));
        }
    }

    /** Chunked transfer coding (RFC 9112 §7.1); {@link #close()} writes the last chunk only. */
    private static final class ChunkedOutputStream extends OutputStream {
        private static final int CHUNK = 8192;
        private final OutputStream out;
        private final byte[] buf = new byte[CHUNK];
        private int count;
        private boolean closed;

        ChunkedOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            if (count == CHUNK) writeChunk();
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed) throw new IOException("body already ended");
            while (len > 0) {
                if (count == CHUNK) writeChunk();
                int n = Math.min(len, CHUNK - count);
                System.arraycopy(b, off, buf, count, n);
                count += n;
                off += n;
                len -= n;
            }
        }

        private void writeChunk() throws IOException {
            if (count == 0) return;
            out.write((Integer.toHexString(count) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(buf, 0, count);
            out.write('\r');
            out.write('\n');
            count = 0;
        }

        @Override
        public void flush() throws IOException {
            writeChunk();
            out.flush();
        }

        @Override
        public void close() throws IOException {
            if (closed) return;
            writeChunk();
            closed = true;
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    /** Refuses to write past the announced Content-Length. */
    private static final class LengthCheckingOutputStream extends OutputStream {
        private final OutputStream out;
        long remaining;

        LengthCheckingOutputStream(OutputStream out, long length) {
            this.out = out;
            this.remaining = length;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > remaining) throw new IOException("body longer than its Content-Length");
            out.write(b, off, len);
            remaining -= len;
        }

        @Override public void flush() throws IOException { out.flush(); }
        @Override public void close() throws IOException { out.flush(); }
    }

    /** Passes writes through; close() only flushes (the connection outlives the body). */
    private static final class UnclosableOutputStream extends OutputStream {
        private final OutputStream out;

        UnclosableOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override public void write(int b) throws IOException { out.write(b); }
        @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
        @Override public void flush() throws IOException { out.flush(); }
        @Override public void close() throws IOException { out.flush(); }
    }
}
