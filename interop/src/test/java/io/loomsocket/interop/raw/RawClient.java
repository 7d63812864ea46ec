package io.loomsocket.interop.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.loomsocket.engine.HttpHead;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;

/**
 * A raw TCP WebSocket client for conformance tests: writes exact bytes, reads exact frames, with
 * a read timeout on every call so that no test can hang. Frames are written and read by hand,
 * independent of the engine under test; HTTP heads are parsed by the engine's strict
 * {@link HttpHead} codec, which refuses anything malformed (so a bad head fails the test).
 */
public final class RawClient implements AutoCloseable {

    /** How long any single read waits before the test fails. */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    public static final String SAMPLE_KEY = "dGhlIHNhbXBsZSBub25jZQ=="; // RFC 6455 §1.3

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private HttpHead response;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static RawClient connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), (int) READ_TIMEOUT.toMillis());
        s.setSoTimeout((int) READ_TIMEOUT.toMillis());
        s.setTcpNoDelay(true);
        return new RawClient(s);
    }

    /** A well-formed upgrade request (RFC 6455 §4.1) with extra header lines ("Name: value"). */
    public static String upgradeRequest(String path, String key, String... extraHeaders) {
        StringBuilder sb = new StringBuilder()
            .append("GET ").append(path).append(" HTTP/1.1\r\n")
            .append("Host: 127.0.0.1\r\n")
            .append("Upgrade: websocket\r\n")
            .append("Connection: Upgrade\r\n")
            .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
            .append("Sec-WebSocket-Version: 13\r\n");
        for (String h : extraHeaders) sb.append(h).append("\r\n");
        return sb.append("\r\n").toString();
    }

    public static String randomKey(Random random) {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /** Connects and completes a handshake, asserting 101 and the right accept value. */
    public static RawClient open(int port, String path, String... extraHeaders) throws IOException {
        RawClient c = connect(port);
        HttpHead r = c.handshake(upgradeRequest(path, SAMPLE_KEY, extraHeaders));
        if (r.status() != 101) {
            c.close();
            fail("handshake to " + path + " got " + r.startLine() + " " + r.headers());
        }
        assertThat(r.headers().get("Sec-WebSocket-Accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        return c;
    }

    /** Writes a raw request and reads the response head. */
    public HttpHead handshake(String request) throws IOException {
        send(request.getBytes(StandardCharsets.ISO_8859_1));
        response = readHead(in);
        return response;
    }

    /**
     * Reads an HTTP head byte by byte, so that nothing after the blank line is consumed (the first
     * WebSocket frame may follow at once), and parses it with the engine's codec.
     */
    public static HttpHead readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int state = 0; // counts the bytes of "\r\n\r\n" seen so far
        while (state < 4) {
            int b = in.read();
            if (b < 0) throw new EOFException("end of stream inside an HTTP head: " + buf.toString(StandardCharsets.ISO_8859_1));
            buf.write(b);
            if (buf.size() > HttpHead.MAX_HEAD_SIZE) throw new IOException("HTTP head larger than " + HttpHead.MAX_HEAD_SIZE);
            state = switch (state) {
                case 0, 2 -> b == '\r' ? state + 1 : 0;
                case 1, 3 -> b == '\n' ? state + 1 : (b == '\r' ? 1 : 0);
                default -> throw new AssertionError();
            };
        }
        byte[] head = buf.toByteArray();
        return HttpHead.parse(head, 0, head.length, HttpHead.MAX_FIELDS, new byte[0]);
    }

    public HttpHead response() { return response; }

    public RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /**
     * Sends {@code bytes} in two TCP segments split at {@code at}, with a short pause between
     * them so that the peer's reader really sees a partial frame.
     */
    public RawClient sendSplit(byte[] bytes, int at) throws IOException {
        out.write(bytes, 0, at);
        out.flush();
        pause();
        out.write(bytes, at, bytes.length - at);
        out.flush();
        return this;
    }

    /** Sends one byte per write (each its own segment thanks to TCP_NODELAY). */
    public RawClient sendBytewise(byte[] bytes) throws IOException {
        for (byte b : bytes) {
            out.write(b);
            out.flush();
        }
        return this;
    }

    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The next frame from the peer; fails the test on timeout. */
    public RawFrame next() throws IOException {
        try {
            return RawFrame.read(in);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no frame from the peer within " + READ_TIMEOUT, e);
        }
    }

    /** Expects the next frame to be unmasked (RFC 6455 §5.1: a server MUST NOT mask). */
    public RawFrame nextFromServer() throws IOException {
        RawFrame f = next();
        assertThat(f.masked()).as("server frames are never masked (RFC 6455 §5.1): %s", f).isFalse();
        return f;
    }

    /**
     * Expects a close frame with {@code code} next, answers it, and expects the TCP connection to
     * end (RFC 6455 §7.1.1: the server closes TCP first).
     */
    public RawFrame expectClose(int code) throws IOException {
        RawFrame f = nextFromServer();
        assertThat(f.opcode()).as("expected close %d, got %s", code, f).isEqualTo(RawFrame.CLOSE);
        assertThat(f.closeCode()).as("close code of %s (reason %s)", f, f.closeReason()).isEqualTo(code);
        try {
            send(RawFrame.client(true, RawFrame.CLOSE, f.payload().length >= 2 ? RawFrame.closePayload(f.closeCode(), "") : new byte[0]));
        } catch (IOException ignored) {
            // the server may already have closed TCP after failing the connection (§7.1.7)
        }
        expectEof();
        return f;
    }

    /** Expects the peer to end the TCP connection within the read timeout. */
    public void expectEof() throws IOException {
        try {
            int b;
            byte[] skip = new byte[4096];
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while ((b = in.read(skip)) >= 0) {
                if (System.nanoTime() > deadline) fail("peer kept sending after close");
                if (b > 0) fail("peer sent %d bytes after its close frame", b);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("peer did not close the TCP connection within " + READ_TIMEOUT, e);
        } catch (java.net.SocketException e) {
            // connection reset: also an end of the TCP connection
        }
    }

    /** Sends a text message and expects the server's single unfragmented echo frame, byte for byte. */
    public void echoText(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        send(RawFrame.client(true, RawFrame.TEXT, payload));
        assertThat(nextFromServer()).isEqualTo(new RawFrame(true, 0, RawFrame.TEXT, false, payload));
    }

    /** Runs the closing handshake from our side with 1000 and checks the echo. */
    public void closeNormally() throws IOException {
        send(RawFrame.client(true, RawFrame.CLOSE, RawFrame.closePayload(1000, "")));
        expectClose(1000);
    }

    public InputStream input() { return in; }

    public Socket socket() { return socket; }

    @Override public void close() throws IOException { socket.close(); }
}
