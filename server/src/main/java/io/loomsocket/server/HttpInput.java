package io.loomsocket.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The buffered read side of one connection. Lines are read with a length limit; reads can be
 * bounded by a total deadline (the header-read timeout, against slowloris) or by an idle
 * timeout per read. The buffer starts small (taken from the server's {@link BufferPool} at the
 * first read and given back by {@link #release()}) and grows only up to the longest line allowed.
 * Bytes already buffered when the connection is upgraded are handed over by {@link #drain()}.
 * Not thread-safe: only the connection's thread uses it.
 */
final class HttpInput {
    /** The size of a new buffer (and of those the {@link BufferPool} keeps): most request heads fit in one read. */
    static final int BUFFER_SIZE = 2048;
    /** How much of the body a single read may ask the socket for. */
    private static final int READ_CHUNK = 8192;

    private final Socket socket;
    private final InputStream in;
    private final int maxBuffer;
    /** Where buffers come from and go back to; null: allocate (tests). */
    private final BufferPool pool;
    /** Empty until the first read. */
    private byte[] buf = RequestParser.NO_BYTES;
    private int pos;
    private int limit;
    /** Start of the last line {@link #nextLine} returned. */
    private int lineStart;
    /** System.nanoTime() deadline for every read, or 0 when reads use {@link #idleTimeoutMillis}. */
    private long deadline;
    private int idleTimeoutMillis;

    /** {@code socket} is where read timeouts are set; null for an in-memory stream without timeouts. */
    HttpInput(Socket socket, InputStream in, int maxLine) {
        this(socket, in, maxLine, null);
    }

    /** As {@link #HttpInput(Socket, InputStream, int)}, with buffers from {@code pool} (null: allocated). */
    HttpInput(Socket socket, InputStream in, int maxLine, BufferPool pool) {
        this.socket = socket;
        this.in = in;
        this.maxBuffer = Math.max(BUFFER_SIZE, maxLine + 2);
        this.pool = pool;
    }

    /** Every read from now on must finish by {@code deadlineNanos} (System.nanoTime()). */
    void deadline(long deadlineNanos) {
        this.deadline = deadlineNanos;
    }

    /** Every read from now on may wait {@code millis} for data, with no total deadline. */
    void idleTimeout(int millis) {
        this.deadline = 0;
        this.idleTimeoutMillis = millis;
    }

    int buffered() {
        return limit - pos;
    }

    /**
     * Waits until at least one byte is buffered.
     *
     * @return false at end of stream
     * @throws SocketTimeoutException if the deadline or idle timeout passed first
     */
    boolean await() throws IOException {
        return pos < limit || fill();
    }

    /** Reads more bytes into the buffer; false at end of stream. */
    private boolean fill() throws IOException {
        if (buf.length == 0) buf = pool != null ? pool.take() : new byte[BUFFER_SIZE];
        if (pos == limit) {
            pos = 0;
            limit = 0;
        } else if (limit == buf.length) {
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, limit - pos);
                limit -= pos;
                pos = 0;
            } else if (buf.length < maxBuffer) {
                buf = Arrays.copyOf(buf, Math.min(maxBuffer, buf.length * 2));
            } else {
                throw new IllegalStateException("buffer full");
            }
        }
        applyTimeout();
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) return false;
        limit += n;
        return true;
    }

    private void applyTimeout() throws IOException {
        if (socket == null) return; // an in-memory stream (the parser's fuzz test)
        if (deadline != 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new SocketTimeoutException("deadline passed");
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
        } else {
            socket.setSoTimeout(idleTimeoutMillis);
        }
    }

    /**
     * Reads one line ended by CRLF (RFC 9112 §2.2; a bare LF or CR is rejected, they are
     * request-smuggling vectors) and returns it without the CRLF, decoded as ISO-8859-1.
     *
     * @param maxLength longest line accepted, without its CRLF
     * @param tooLong thrown when the line is longer
     * @throws java.io.EOFException if the stream ends inside the line
     */
    String readLine(int maxLength, java.util.function.Supplier<HttpException> tooLong) throws IOException {
        int len = nextLine(maxLength, tooLong);
        return new String(buf, lineStart, len, StandardCharsets.ISO_8859_1);
    }

    /**
     * Reads one line as {@link #readLine} does, but leaves it in the buffer: it is
     * {@code buffer()[lineStart(), lineStart() + length)} until the next read. No string is made.
     *
     * @return the length of the line, without its CRLF
     */
    int nextLine(int maxLength, java.util.function.Supplier<HttpException> tooLong) throws IOException {
        int scanned = 0;
        while (true) {
            for (int i = pos + scanned; i < limit; i++) {
                byte b = buf[i];
                if (b == '\n') {
                    int end = i;
                    if (end == pos || buf[end - 1] != '\r') throw new HttpException(400, "bare LF in request head");
                    int len = end - 1 - pos;
                    if (len > maxLength) throw tooLong.get();
                    lineStart = pos;
                    pos = i + 1;
                    return len;
                }
                if (i > pos && buf[i - 1] == '\r') throw new HttpException(400, "bare CR in request head");
            }
            scanned = limit - pos;
            if (scanned > maxLength + 1) throw tooLong.get();
            if (!fill()) throw new java.io.EOFException("connection closed inside a line");
        }
    }

    /** The buffer holding the line {@link #nextLine} read last. */
    byte[] buffer() {
        return buf;
    }

    /** Where in {@link #buffer()} the line {@link #nextLine} read last starts. */
    int lineStart() {
        return lineStart;
    }

    /** Reads up to {@code len} bytes, from the buffer first; -1 at end of stream. */
    int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        if (pos == limit) {
            if (len >= READ_CHUNK) { // large reads bypass the buffer
                applyTimeout();
                return in.read(b, off, len);
            }
            if (!fill()) return -1;
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    /** Reads exactly {@code len} bytes or throws EOFException. */
    void readFully(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = read(b, off, len);
            if (n < 0) throw new java.io.EOFException("connection closed inside a body");
            off += n;
            len -= n;
        }
    }

    /** Reads and checks a CRLF (after chunk data, RFC 9112 §7.1). */
    void expectCrlf() throws IOException {
        for (byte expected : new byte[] {'\r', '\n'}) {
            if (pos == limit && !fill()) throw new java.io.EOFException("connection closed inside a chunk");
            if (buf[pos++] != expected) throw new HttpException(400, "chunk data not followed by CRLF");
        }
    }

    /** Hands over the buffered bytes (those after the request head) and gives the buffer back. */
    byte[] drain() {
        byte[] out = pos == limit ? RequestParser.NO_BYTES : Arrays.copyOfRange(buf, pos, limit);
        release();
        return out;
    }

    /**
     * Gives the buffer back to the pool, dropping whatever it still holds; called by the
     * connection's thread when it reads no more (nothing may use the buffer after this).
     */
    void release() {
        if (pool != null && buf.length > 0) pool.give(buf);
        buf = RequestParser.NO_BYTES;
        pos = limit = 0;
    }
}
