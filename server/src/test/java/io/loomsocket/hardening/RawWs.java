package io.loomsocket.hardening;

import io.loomsocket.engine.Frame;
import io.loomsocket.engine.FrameParser;
import io.loomsocket.engine.FrameWriter;
import io.loomsocket.engine.MaskSource;
import io.loomsocket.engine.OpCode;
import io.loomsocket.engine.Role;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket client made of a raw socket and the engine's frame codec, for tests that must
 * misbehave on purpose (not answer pings, stop reading, reset mid-frame) or see every frame.
 */
final class RawWs implements AutoCloseable {
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    final Socket socket;
    private final InputStream in;
    private final FrameWriter writer = new FrameWriter(Role.CLIENT, MaskSource.fixed(0x1b2c3d4e));
    private final FrameParser parser = new FrameParser(Role.CLIENT, 1 << 24, true);
    private ByteBuffer buf = ByteBuffer.allocate(1 << 16).flip();
    /** The status line and headers of the handshake response. */
    String responseHead = "";

    RawWs(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
    }

    static String upgradeRequest(String target, String extraHeaders) {
        return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
    }

    /** Sends the upgrade request and reads the response head; returns the status. */
    int handshake(String target) throws IOException {
        send(upgradeRequest(target, "").getBytes(StandardCharsets.ISO_8859_1));
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) throw new IOException("closed during the handshake: " + head);
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        responseHead = head.toString(StandardCharsets.ISO_8859_1);
        return Integer.parseInt(responseHead.substring(9, 12));
    }

    void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    void sendFrame(int opcode, byte[] payload) throws IOException {
        send(writer.encode(Frame.of(opcode, payload)));
    }

    void sendText(String s) throws IOException {
        sendFrame(OpCode.TEXT, s.getBytes(StandardCharsets.UTF_8));
    }

    /** The next frame, or null at end of stream; SocketTimeoutException after the socket timeout. */
    Frame readFrame() throws IOException {
        while (true) {
            Frame f = parser.parse(buf);
            if (f != null) return f;
            buf.compact();
            if (!buf.hasRemaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(buf.capacity() * 2);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
            int n = in.read(buf.array(), buf.position(), buf.remaining());
            buf.flip();
            if (n < 0) return null;
            buf.limit(buf.limit() + n);
        }
    }

    /** Reads frames until a close frame (returns its code, 1005 if empty) or EOF (-1), skipping data and pings. */
    int readUntilClose() throws IOException {
        for (Frame f; (f = readFrame()) != null; ) {
            if (f.opcode() == OpCode.CLOSE) {
                byte[] p = f.payload();
                return p.length >= 2 ? ((p[0] & 0xff) << 8) | (p[1] & 0xff) : 1005;
            }
        }
        return -1;
    }

    /** True if the server closed TCP (EOF or reset) within the socket timeout, skipping any frames. */
    boolean closedByServer() {
        try {
            byte[] b = new byte[4096];
            while (in.read(b) >= 0) { }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Closes with a TCP reset (SO_LINGER 0) instead of a FIN. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
