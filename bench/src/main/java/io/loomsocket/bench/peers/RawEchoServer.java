package io.loomsocket.bench.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * The ceiling of the box: a TCP echo, one virtual thread per connection on java.net.Socket.
 *
 * <p>So that the same WebSocket load generator can drive it, it answers the opening handshake
 * (RFC 6455 §4.2.2: Sec-WebSocket-Accept = base64(SHA-1(key + GUID))) and then echoes every byte
 * verbatim without parsing frames. The client therefore gets its own masked frames back; it runs
 * with {@code --raw} (Netty's allowMaskMismatch) to accept them. Nothing is validated: this
 * measures sockets, threads and the kernel, not a WebSocket implementation.
 */
public final class RawEchoServer {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    /** Largest opening-handshake request read before the connection is refused. */
    private static final int MAX_REQUEST_BYTES = 8192;
    /** Bytes read and written back per system call. */
    private static final int ECHO_BUFFER_BYTES = 16384;

    private RawEchoServer() {}

    public static void main(String[] args) throws IOException {
        PeerArgs a = PeerArgs.parse("RawEchoServer", args);
        if (a.deflate()) {
            System.err.println("RawEchoServer: --deflate makes no sense for a raw echo");
            System.exit(2);
        }
        try (ServerSocket server = new ServerSocket(a.port(), 4096, InetAddress.getByName("127.0.0.1"))) {
            PeerArgs.announce("raw", a.port());
            while (true) {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> serve(s));
            }
        }
    }

    private static void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] request = new byte[MAX_REQUEST_BYTES];
            int n = 0;
            int end = -1;
            while (end < 0) {
                if (n == request.length) return; // request too large: just drop it
                int r = in.read(request, n, request.length - n);
                if (r < 0) return;
                n += r;
                end = headerEnd(request, n);
            }
            String key = header(new String(request, 0, end, StandardCharsets.ISO_8859_1), "sec-websocket-key");
            if (key == null) {
                out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                    + accept(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            if (n > end) out.write(request, end, n - end);
            byte[] buf = new byte[ECHO_BUFFER_BYTES];
            int r;
            while ((r = in.read(buf)) >= 0) out.write(buf, 0, r);
        } catch (IOException e) {
            // the peer went away: nothing to report for an echo
        }
    }

    /** Index just past the blank line that ends the request head, or -1. */
    private static int headerEnd(byte[] b, int n) {
        for (int i = 3; i < n; i++) {
            if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') return i + 1;
        }
        return -1;
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JDK", e);
        }
    }
}
